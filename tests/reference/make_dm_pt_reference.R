#!/usr/bin/env Rscript
# Reference values for the Diebold-Mariano and Pesaran-Timmermann tests.
#
# Writes tests/reference/dm_pt_reference.json: the seeded input series (rounded to
# 6 decimals, so that the JSON holds them exactly) and the statistics and p-values
# that R computes for them.  tests/test_evaluation.py reads the inputs from that file,
# runs lstmgru.evaluation on them and compares with the R numbers; the tests do not
# need R.
#
# Diebold-Mariano: forecast::dm.test (Harvey-Leybourne-Newbold correction, Student-t
#   with n - 1 degrees of freedom).
# Pesaran-Timmermann: written out below from Pesaran & Timmermann (1992), "A simple
#   nonparametric test of predictive performance", JBES 10(4), 461-465, eq. (2)-(4);
#   rugarch::DACTest is not packaged for Debian.
#
# Run from the repository root:
#   Rscript tests/reference/make_dm_pt_reference.R
# Needs: r-base-core r-cran-forecast r-cran-jsonlite (Debian packages).

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})

set.seed(20240601)

ar1 <- function(n, phi, sd) {
  x <- numeric(n)
  eps <- rnorm(n, sd = sd)
  x[1] <- eps[1]
  for (t in 2:n) x[t] <- phi * x[t - 1] + eps[t]
  x
}

# Error series: forecast minus actual.  Rounded so the JSON is exact.
error_sets <- list(
  list(name = "small_ar", e1 = round(ar1(60, 0.4, 1.0), 6), e2 = round(ar1(60, 0.4, 1.3), 6)),
  list(name = "heavy_tail", e1 = round(rt(250, df = 4), 6), e2 = NULL),
  list(name = "close_models", e1 = round(rnorm(120, sd = 2), 6), e2 = NULL)
)
error_sets[[2]]$e2 <- round(0.8 * error_sets[[2]]$e1 + rnorm(250, sd = 0.7), 6)
error_sets[[3]]$e2 <- round(error_sets[[3]]$e1 + rnorm(120, sd = 0.3) + 0.05, 6)

dm_cases <- list()
for (set in error_sets) {
  for (h in c(1L, 3L)) {
    for (power in c(2, 1)) {
      estimators <- if (h == 1L) "acf" else c("acf", "bartlett")
      for (varestimator in estimators) {
        for (alternative in c("two.sided", "less", "greater")) {
          res <- withCallingHandlers(
            dm.test(set$e1, set$e2, alternative = alternative, h = h, power = power,
                    varestimator = varestimator),
            warning = function(w) stop("dm.test warned, choose other inputs: ", conditionMessage(w))
          )
          dm_cases[[length(dm_cases) + 1]] <- list(
            series = set$name,
            h = h,
            power = power,
            varestimator = varestimator,
            alternative = alternative,
            statistic = unname(res$statistic),
            p_value = res$p.value
          )
        }
      }
    }
  }
}

pesaran_timmermann <- function(actual, forecast) {
  n <- length(actual)
  up_actual <- as.numeric(actual > 0)
  up_forecast <- as.numeric(forecast > 0)
  hit <- as.numeric(up_actual == up_forecast)
  p_hat <- mean(hit)
  p_y <- mean(up_actual)
  p_x <- mean(up_forecast)
  p_star <- p_y * p_x + (1 - p_y) * (1 - p_x)
  var_p_hat <- p_star * (1 - p_star) / n
  var_p_star <- (2 * p_y - 1)^2 * p_x * (1 - p_x) / n +
    (2 * p_x - 1)^2 * p_y * (1 - p_y) / n +
    4 * p_y * p_x * (1 - p_y) * (1 - p_x) / n^2
  statistic <- (p_hat - p_star) / sqrt(var_p_hat - var_p_star)
  list(statistic = statistic, p_value = pnorm(statistic, lower.tail = FALSE), hit_rate = p_hat)
}

pt_sets <- list()
for (spec in list(list(name = "weak_signal", n = 120, rho = 0.15),
                  list(name = "strong_signal", n = 500, rho = 0.5),
                  list(name = "no_signal", n = 300, rho = 0.0))) {
  actual <- rnorm(spec$n, mean = 0.0003, sd = 0.012)
  forecast <- spec$rho * actual + rnorm(spec$n, mean = 0.0001, sd = 0.004)
  actual <- round(actual, 6)
  forecast <- round(forecast, 6)
  stopifnot(all(actual != 0), all(forecast != 0))
  res <- pesaran_timmermann(actual, forecast)
  pt_sets[[length(pt_sets) + 1]] <- list(
    name = spec$name,
    actual = actual,
    forecast = forecast,
    statistic = res$statistic,
    p_value = res$p_value,
    hit_rate = res$hit_rate
  )
}

out <- list(
  generated_by = "tests/reference/make_dm_pt_reference.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  error_series = lapply(error_sets, function(s) list(name = s$name, e1 = s$e1, e2 = s$e2)),
  diebold_mariano = dm_cases,
  pesaran_timmermann = pt_sets
)

path <- file.path("tests", "reference", "dm_pt_reference.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), path)
cat("wrote", path, "with", length(dm_cases), "DM cases and", length(pt_sets), "PT cases\n")
