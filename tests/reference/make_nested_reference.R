#!/usr/bin/env Rscript
# Reference values for the Clark-West test, the out-of-sample R^2, the pooled DM test, Holm's
# adjustment, the power calculation and the direction-vs-always-up test.
#
# Writes tests/reference/nested_reference.json: seeded inputs (rounded to 6 significant
# decimals so that the JSON holds them exactly) and what R computes for them.  The tests
# (tests/test_evaluation_nested.py, test_evaluation_pooled.py, test_power.py) read that file;
# they do not need R.  The computations here use R's own machinery, not the Python formulas:
#
# Clark-West: f_t = e_R^2 - (e_U^2 - (yhat_R - yhat_U)^2) regressed on a constant with lm();
#   variance from sandwich::NeweyWest(fit, lag = L, prewhite = FALSE) (Bartlett kernel);
#   t = coef / se, one-sided p = pnorm(t, lower.tail = FALSE).  Clark & West (2007), J.
#   Econometrics 138(1), 291-311, eq. (3.3); Newey & West (1987).
# Pooled DM: the cross-sectional mean of the loss differentials per date (rowMeans with
#   na.rm = TRUE), then the same lm + NeweyWest with lag floor(4 (T/100)^(2/9)), two-sided
#   normal p-value.
# Holm: stats::p.adjust(method = "holm"), NA included.
# Power: qnorm for the normal approximation, and stats::power.t.test (non-central t, one
#   sample) as an independent check of the same effect size.
# Direction vs always up: stats::binom.test on the discordant days (exact McNemar).
#
# Run from the repository root:
#   Rscript tests/reference/make_nested_reference.R
# Needs: r-base-core r-cran-sandwich r-cran-jsonlite (Debian packages).

suppressPackageStartupMessages({
  library(sandwich)
  library(jsonlite)
})

set.seed(20240614)

ar1 <- function(n, phi, sd) {
  x <- numeric(n)
  eps <- rnorm(n, sd = sd)
  x[1] <- eps[1]
  for (t in 2:n) x[t] <- phi * x[t - 1] + eps[t]
  x
}

nw_t <- function(f, lag) {
  fit <- lm(f ~ 1)
  se <- sqrt(NeweyWest(fit, lag = lag, prewhite = FALSE)[1, 1])
  unname(coef(fit)[1] / se)
}

# ---- Clark-West and OOS R^2 -------------------------------------------------------------
cw_sets <- list()
specs <- list(
  list(name = "rw_weak_signal", n = 250, rho = 0.05, drift = 0.0, h = 1L, lags = 0L),
  list(name = "rw_strong_signal", n = 490, rho = 0.3, drift = 0.0, h = 1L, lags = 0L),
  list(name = "drift_no_signal", n = 300, rho = 0.0, drift = 0.0004, h = 1L, lags = 0L),
  list(name = "rw_h3", n = 200, rho = 0.2, drift = 0.0, h = 3L, lags = 2L),
  list(name = "rw_lags5", n = 400, rho = 0.1, drift = 0.0, h = 1L, lags = 5L)
)
for (s in specs) {
  signal <- ar1(s$n, 0.1, 0.004)
  actual <- round(signal + rnorm(s$n, sd = 0.012), 6)
  restricted <- round(rep(s$drift, s$n) + if (s$drift != 0) rnorm(s$n, sd = 0.00005) else 0, 6)
  unrestricted <- round(s$rho * signal + rnorm(s$n, sd = 0.002) + s$drift, 6)
  e_r <- actual - restricted
  e_u <- actual - unrestricted
  adj <- (restricted - unrestricted)^2
  f <- e_r^2 - (e_u^2 - adj)
  t <- nw_t(f, s$lags)
  cw_sets[[length(cw_sets) + 1]] <- list(
    name = s$name, h = s$h, lags = s$lags,
    actual = actual, restricted = restricted, unrestricted = unrestricted,
    statistic = t, p_value = pnorm(t, lower.tail = FALSE),
    adjustment = mean(adj), mspe_restricted = mean(e_r^2), mspe_unrestricted = mean(e_u^2),
    r2_oos = 1 - sum(e_u^2) / sum(e_r^2)
  )
}

# ---- pooled DM --------------------------------------------------------------------------
dates <- seq(as.Date("2021-01-04"), by = "day", length.out = 420)
dates <- dates[!weekdays(dates) %in% c("Saturday", "Sunday")][1:300]
common <- rnorm(300, sd = 0.8)
panel <- sapply(1:4, function(i) round(0.6 * common + rnorm(300, sd = 1) + c(-0.1, 0.05, -0.2, 0)[i], 6))
colnames(panel) <- c("AAA", "BBB", "CCC", "DDD")
panel[1:40, "BBB"] <- NA        # later start
panel[261:300, "CCC"] <- NA     # earlier end
panel[c(100, 150), "DDD"] <- NA  # holidays
mean_d <- rowMeans(panel, na.rm = TRUE)
T_days <- length(mean_d)
lag_rule <- floor(4 * (T_days / 100)^(2 / 9))
pooled <- list()
for (lag in c(lag_rule, 0L, 10L)) {
  t <- nw_t(mean_d, lag)
  pooled[[length(pooled) + 1]] <- list(
    lags = lag, statistic = t, p_value = 2 * pnorm(-abs(t)), mean = mean(mean_d),
    n_days = T_days
  )
}
panel_json <- lapply(colnames(panel), function(c) panel[, c])
names(panel_json) <- colnames(panel)

# ---- Holm -------------------------------------------------------------------------------
holm_cases <- list(
  list(p = c(0.01, 0.04, 0.03, 0.005, 0.2)),
  list(p = c(0.02, NA, 0.03, 0.5, 0.001, NA, 0.04)),
  list(p = round(runif(15)^3, 6)),
  list(p = c(0.3, 0.3, 0.01, 1, 0))
)
for (i in seq_along(holm_cases)) holm_cases[[i]]$adjusted <- p.adjust(holm_cases[[i]]$p, "holm")

# ---- power ------------------------------------------------------------------------------
power_cases <- list()
for (n in c(120L, 490L, 2500L)) {
  for (alpha in c(0.05, 0.10)) {
    for (sided in c("one.sided", "two.sided")) {
      z_alpha <- if (sided == "one.sided") qnorm(1 - alpha) else qnorm(1 - alpha / 2)
      delta <- (z_alpha + qnorm(0.8)) / sqrt(n)
      pt <- power.t.test(n = n, sd = 1, sig.level = alpha, power = 0.8, type = "one.sample",
                         alternative = sided)
      power_cases[[length(power_cases) + 1]] <- list(
        n = n, alpha = alpha, one_sided = sided == "one.sided", power = 0.8,
        delta_normal = delta, delta_t = pt$delta,
        power_at_delta_normal = if (sided == "one.sided")
          pnorm(delta * sqrt(n) - qnorm(1 - alpha)) else
          pnorm(delta * sqrt(n) - z_alpha) + pnorm(-delta * sqrt(n) - z_alpha)
      )
    }
  }
}

# ---- direction vs always up -------------------------------------------------------------
direction_sets <- list()
for (spec in list(list(name = "down_caller", n = 250, rho = 0.3),
                  list(name = "noise", n = 400, rho = 0.0))) {
  actual <- round(rnorm(spec$n, mean = 0.0004, sd = 0.012), 6)
  forecast <- round(spec$rho * actual + rnorm(spec$n, mean = 0.0005, sd = 0.004), 6)
  up <- actual > 0
  called_up <- forecast > 0
  b <- sum(!called_up & !up)
  c <- sum(!called_up & up)
  direction_sets[[length(direction_sets) + 1]] <- list(
    name = spec$name, actual = actual, forecast = forecast,
    hit_rate = mean(up == called_up), base_rate = mean(up), n_model_only = b, n_base_only = c,
    p_greater = binom.test(b, b + c, 0.5, alternative = "greater")$p.value,
    p_two_sided = binom.test(b, b + c, 0.5)$p.value
  )
}

out <- list(
  generated_by = "tests/reference/make_nested_reference.R",
  r_version = R.version.string,
  sandwich_version = as.character(packageVersion("sandwich")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  clark_west = cw_sets,
  pooled = list(dates = format(dates), differentials = panel_json, lag_rule = lag_rule,
                results = pooled),
  holm = holm_cases,
  power = power_cases,
  direction = direction_sets
)
path <- file.path("tests", "reference", "nested_reference.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), path)
cat("wrote", path, "\n")
