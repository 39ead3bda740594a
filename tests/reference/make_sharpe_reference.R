# Reference values for the Ledoit-Wolf (2008) test of equal Sharpe ratios (HAC version),
# checked by tests/test_economics.py.
#
# For two return series a_t, b_t over the same T days, the test works on the moment vector
#   v = (mu_a, mu_b, gamma_a, gamma_b),  gamma = E[x^2],
# and the difference of Sharpe ratios f(v) = mu_a / sqrt(gamma_a - mu_a^2)
#                                          - mu_b / sqrt(gamma_b - mu_b^2)
# (per-period Sharpe ratios, zero risk-free rate, moments with divisor T). The standard error is
# the delta method: se = sqrt(grad' Psi grad / T), with Psi / T the Newey-West covariance of
# the sample moments: sandwich::NeweyWest on lm(cbind(a, b, a^2, b^2) ~ 1) with Bartlett
# weights, lag L, prewhite = FALSE, adjust = FALSE (divisor T, no small-sample factor; the
# T / (T - 4) factor of Ledoit & Wolf 2008 is not applied). The script checks that covariance
# against a Bartlett HAC written out below, then writes statistic = f / se and the two-sided
# normal p-value.
#
# Run from the repository root:
#   Rscript tests/reference/make_sharpe_reference.R
# Needs: r-base-core r-cran-sandwich r-cran-jsonlite (Debian packages).

suppressPackageStartupMessages({
  library(sandwich)
  library(jsonlite)
})

set.seed(20240701)

bartlett_hac <- function(Y, lag) {
  # Long-run covariance of the columns of Y (divisor T), Bartlett weights 1 - k / (lag + 1).
  n <- nrow(Y)
  Z <- sweep(Y, 2, colMeans(Y))
  S <- crossprod(Z) / n
  if (lag > 0) {
    for (k in 1:lag) {
      G <- crossprod(Z[(k + 1):n, , drop = FALSE], Z[1:(n - k), , drop = FALSE]) / n
      S <- S + (1 - k / (lag + 1)) * (G + t(G))
    }
  }
  S
}

lw_hac <- function(a, b, lag) {
  n <- length(a)
  Y <- cbind(a, b, a^2, b^2)
  fit <- lm(Y ~ 1)
  V <- unname(NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = FALSE))  # Psi / T
  stopifnot(isTRUE(all.equal(V, unname(bartlett_hac(Y, lag)) / n, tolerance = 1e-12)))
  m <- colMeans(Y)
  var_a <- m[3] - m[1]^2
  var_b <- m[4] - m[2]^2
  sr_a <- m[1] / sqrt(var_a)
  sr_b <- m[2] / sqrt(var_b)
  grad <- c(m[3] / var_a^1.5, -m[4] / var_b^1.5,
            -m[1] / (2 * var_a^1.5), m[2] / (2 * var_b^1.5))
  se <- sqrt(drop(t(grad) %*% V %*% grad))
  d <- sr_a - sr_b
  list(lags = lag, sharpe_a = unname(sr_a), sharpe_b = unname(sr_b), difference = unname(d),
       se = se, statistic = unname(d / se), p_value = unname(2 * pnorm(-abs(d / se))))
}

ar1 <- function(n, phi, sd) {
  x <- numeric(n)
  eps <- rnorm(n, sd = sd)
  x[1] <- eps[1]
  for (t in 2:n) x[t] <- phi * x[t - 1] + eps[t]
  x
}

pairs <- list()
# independent, homoskedastic daily returns
n <- 250
pairs[[1]] <- list(name = "independent", a = rnorm(n, 0.0006, 0.012), b = rnorm(n, 0.0002, 0.010))
# strongly correlated through a common market factor, different means and volatilities
n <- 500
market <- rnorm(n, 0.0003, 0.010)
pairs[[2]] <- list(name = "correlated",
                   a = 0.0004 + 0.9 * market + rnorm(n, sd = 0.005),
                   b = 1.1 * market + rnorm(n, sd = 0.004))
# autocorrelated with volatility clustering (a two-regime volatility)
n <- 750
vol <- ifelse((seq_len(n) %/% 50) %% 2 == 0, 0.008, 0.02)
pairs[[3]] <- list(name = "autocorrelated",
                   a = 0.0005 + ar1(n, 0.25, 1) * vol,
                   b = 0.0001 + 0.5 * ar1(n, 0.1, 1) * vol + rnorm(n, sd = 0.006))

cases <- list()
for (p in pairs) {
  a <- round(p$a, 6)
  b <- round(p$b, 6)
  n <- length(a)
  lag_rule <- floor(4 * (n / 100)^(2 / 9))
  results <- lapply(c(lag_rule, 0L, 10L), function(L) lw_hac(a, b, L))
  cases[[length(cases) + 1]] <- list(name = p$name, n = n, lag_rule = lag_rule,
                                     a = a, b = b, results = results)
}

out <- list(
  generated_by = "tests/reference/make_sharpe_reference.R",
  r_version = R.version.string,
  sandwich_version = as.character(packageVersion("sandwich")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  sharpe = cases
)
path <- file.path("tests", "reference", "sharpe_reference.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), path)
cat("wrote", path, "\n")
