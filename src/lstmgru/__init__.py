"""Hybrid LSTM-GRU vs ARIMA forecasting study."""

__version__ = "0.1.0"
