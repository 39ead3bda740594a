# Hybrid LSTM-GRU vs ARIMA: the two commands are `make report` and `make test`.
# Both install what is missing first (Python deps into .venv, the TeX toolchain via apt-get).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := lstmgru
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml 2>/dev/null | sha256sum | cut -c1-12)
TEX_STAMP := $(VENV)/.tex-ok
BROWSER_STAMP := $(VENV)/.browser-ok
BROWSER_PACKAGES := chromium chromium-driver
TEX_PACKAGES := texlive-xetex texlive-fonts-recommended texlive-plain-generic texlive-latex-extra \
	lmodern latexmk pandoc poppler-utils fonts-noto-cjk fonts-dejavu-core
TICKERS ?= AAPL JPM KO XOM
PROFILE ?= default
SOURCE ?= skfolio
# ticker notebooks at once: two where there are two cores or more (one machine, 1.5x faster)
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -ge 2 ] && echo 2 || echo 1)
RUN_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install venv tex browser test report run pdf bench lab lint format clean distclean

help: ## List every target with one line each
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: TICKERS=\"$(TICKERS)\" PROFILE=$(PROFILE) SOURCE=$(SOURCE) JOBS=$(JOBS)"

install: venv tex browser ## Install Python deps into .venv, the TeX toolchain and Chromium (idempotent)

venv: $(STAMP) ## Create .venv with the package (editable) and register its Jupyter kernel

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,dask]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (lstmgru)" >/dev/null
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "Python environment ready in $(VENV) (kernel '$(KERNEL)')."

tex: $(TEX_STAMP) ## Install xelatex, latexmk, pandoc, fonts and poppler (apt-get when root)

$(TEX_STAMP):
	@missing=""; for c in xelatex latexmk pandoc pdftotext pdffonts; do \
		command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	kpsewhich booktabs.sty >/dev/null 2>&1 || missing="$$missing booktabs"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing TeX toolchain (missing:$$missing)..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $(TEX_PACKAGES) >/dev/null || exit 1; \
		else \
			echo "Missing:$$missing. Install as root:"; \
			echo "  sudo apt-get install --no-install-recommends $(TEX_PACKAGES)"; \
			exit 1; \
		fi; \
	fi
	@mkdir -p $(VENV) && touch $@

browser: $(BROWSER_STAMP) ## Install headless Chromium and its driver for the page tests (apt-get when root)

$(BROWSER_STAMP):
	@missing=""; for c in chromium chromedriver; do \
		command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Chromium (missing:$$missing)..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $(BROWSER_PACKAGES) >/dev/null || exit 1; \
		else \
			echo "Missing:$$missing. Install as root:"; \
			echo "  sudo apt-get install --no-install-recommends $(BROWSER_PACKAGES)"; \
			exit 1; \
		fi; \
	fi
	@mkdir -p $(VENV) && touch $@

test: install ## Run the whole test suite (every notebook executed with the quick profile)
	$(PY) -m pytest

run: install ## Run the experiment notebooks over TICKERS with PROFILE (papermill)
	$(PY) -m lstmgru run --tickers $(TICKERS) --source $(SOURCE) --profile $(PROFILE) --jobs $(JOBS) $(RUN_ARGS)

pdf: install ## Build report/build/thesis.pdf from the latest run
	$(PY) -m lstmgru report

report: run pdf ## Run the default experiment and write report/build/thesis.pdf

bench: install ## Run the speed benchmarks; results in benchmarks/results/
	$(VENV)/bin/pip install --quiet -e ".[bench]"
	@for b in benchmarks/[a-z]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lab: install ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab notebooks/

lint: venv ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## Format code and notebooks with ruff
	$(VENV)/bin/ruff format .

clean: ## Remove build outputs (runs, report build, figures)
	rm -rf build report/build figures/*.pdf figures/*.png

distclean: clean ## Also remove the virtual environment
	rm -rf $(VENV)
