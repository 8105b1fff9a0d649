# Reference values for tests/stats: run by hand, never by the test suite.
#
#   cd tests/stats && Rscript reference.R
#
# Written against R 4.2.2 and psych 2.2.9 (GPArotation installed, which psych::omega needs).
# Every value is printed as "label = value" with 15 significant digits; the tests hard-code
# them with the call beside each. The CSVs in data/ come from data/make_data.py.

options(digits = 15)
suppressPackageStartupMessages(library(psych))

out <- function(label, value) {
  cat(sprintf("%s = %s\n", label, paste(format(value, digits = 15), collapse = ", ")))
}

# ---------------------------------------------------------------------------------------
# Reliability: engagement.csv, five items scored 1-6, eng3 reverse-keyed.
# ---------------------------------------------------------------------------------------
eng <- read.csv("data/engagement.csv")
items <- paste0("eng", 1:5)
d <- eng[, items]
x <- d
x$eng3 <- 7 - x$eng3 # min + max - x

cat("\n## reliability, pairwise (psych default use='pairwise')\n")
a <- psych::alpha(x)
out("n_rows_with_an_answer", sum(rowSums(!is.na(x)) > 0))
out("alpha$total$raw_alpha", a$total$raw_alpha)
out("alpha$total$std.alpha", a$total$std.alpha)
out("alpha$total$mean", a$total$mean)
out("alpha$total$sd", a$total$sd)
out("alpha$item.stats$n", a$item.stats$n)
out("alpha$item.stats$mean", a$item.stats$mean)
out("alpha$item.stats$sd", a$item.stats$sd)
out("alpha$item.stats$r.drop", a$item.stats$r.drop)
out("alpha$alpha.drop$raw_alpha", a$alpha.drop$raw_alpha)

# The same through psych's own keying (it reverses with the observed min + max, here 1 + 6).
ak <- psych::alpha(d, keys = c("eng3"))
out("alpha(d, keys='eng3')$total$raw_alpha", ak$total$raw_alpha)
out("alpha(d, keys='eng3')$total$mean", ak$total$mean)
out("alpha(d, keys='eng3')$item.stats$mean", ak$item.stats$mean)

om <- suppressWarnings(suppressMessages(psych::omega(x, nfactors = 1, plot = FALSE)))
out("omega(x, nfactors=1)$omega.tot", om$omega.tot)

# psych's minres stops where optim(method = "L-BFGS-B") meets its default tolerance
# (factr = 1e7). The exact minres (unweighted least squares) solution for one factor
# minimises the squared off-diagonal residuals; solve it to convergence and apply psych's
# formula omega.tot = (sum(R) - sum(u2)) / sum(R) with u2 = 1 - loading^2.
exact_omega <- function(data) {
  R <- cor(data, use = "pairwise")
  start <- suppressMessages(fa(R, 1, fm = "minres", rotate = "none"))$loadings[, 1]
  f <- function(l) {
    M <- R - tcrossprod(l)
    sum(M[lower.tri(M)]^2)
  }
  fit <- optim(start, f, method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))
  l <- fit$par
  c(omega = (sum(R) - sum(1 - l^2)) / sum(R), loadings = l)
}
ex <- exact_omega(x)
out("exact minres omega_tot (pairwise)", ex["omega"])
out("exact minres loadings (pairwise)", ex[-1])
pa <- suppressMessages(fa(cor(x, use = "pairwise"), 1, fm = "pa", rotate = "none",
                          max.iter = 100000, min.err = 1e-15))
out("fa(R, 1, fm='pa', min.err=1e-15) omega_tot", (sum(cor(x, use = "pairwise")) -
  sum(pa$uniquenesses)) / sum(cor(x, use = "pairwise")))

cat("\n## reliability, listwise\n")
xl <- na.omit(x)
al <- psych::alpha(xl)
out("nrow(na.omit(x))", nrow(xl))
out("alpha(na.omit(x))$total$raw_alpha", al$total$raw_alpha)
out("alpha(na.omit(x))$total$std.alpha", al$total$std.alpha)
out("alpha(na.omit(x))$total$mean", al$total$mean)
out("alpha(na.omit(x))$total$sd", al$total$sd)
out("alpha(na.omit(x))$item.stats$r.drop", al$item.stats$r.drop)
out("alpha(na.omit(x))$alpha.drop$raw_alpha", al$alpha.drop$raw_alpha)
oml <- suppressWarnings(suppressMessages(psych::omega(xl, nfactors = 1, plot = FALSE)))
out("omega(na.omit(x), nfactors=1)$omega.tot", oml$omega.tot)
out("exact minres omega_tot (listwise)", exact_omega(xl)["omega"])

cat("\n## a Heywood case: psych's loading of x1 exceeds 1\n")
hw <- read.csv("data/heywood.csv")
omh <- suppressWarnings(suppressMessages(psych::omega(hw, nfactors = 1, plot = FALSE)))
out("omega(heywood, nfactors=1)$omega.tot", omh$omega.tot)
out("fa(cor(heywood), 1)$loadings", suppressWarnings(suppressMessages(fa(cor(hw), 1)))$loadings[, 1])
out("alpha(heywood)$total$raw_alpha", psych::alpha(hw)$total$raw_alpha)

cat("\n## scale scores (mean of answered items, NA when fewer than 3 of 5 answered)\n")
answered <- rowSums(!is.na(x))
score <- ifelse(answered >= 3, rowMeans(x, na.rm = TRUE), NA)
out("sum(!is.na(score))", sum(!is.na(score)))
out("mean(score, na.rm=TRUE)", mean(score, na.rm = TRUE))
out("score[1:6]", score[1:6])

# ---------------------------------------------------------------------------------------
# Correlation: usage.csv
# ---------------------------------------------------------------------------------------
u <- read.csv("data/usage.csv")
vars <- c("active_share", "passive_share", "post_frequency", "alignment", "engagement")

upper_pairs <- function(ct, label) {
  # corr.test(x)$p holds the adjusted p above the diagonal and the raw p below it.
  nv <- ncol(ct$r)
  k <- 1
  for (i in 1:(nv - 1)) for (j in (i + 1):nv) {
    n <- if (is.matrix(ct$n)) ct$n[i, j] else ct$n
    cat(sprintf("%s %s-%s: n=%d r=%.15g lower=%.15g upper=%.15g p=%.15g p_adj=%.15g\n",
                label, colnames(ct$r)[i], colnames(ct$r)[j], n, ct$r[i, j],
                ct$ci$lower[k], ct$ci$upper[k], ct$p[j, i], ct$p[i, j]))
    k <- k + 1
  }
}
cat("\n## corr.test(u[vars], adjust='holm')\n")
upper_pairs(corr.test(u[vars], adjust = "holm"), "pearson/holm")
cat("\n## corr.test(u[vars], method='spearman', adjust='BH')\n")
upper_pairs(corr.test(u[vars], method = "spearman", adjust = "BH"), "spearman/BH")
cat("\n## corr.test(u[vars], adjust='bonferroni')\n")
upper_pairs(corr.test(u[vars], adjust = "bonferroni"), "pearson/bonferroni")

cat("\n## usage x outcome: corr.test(u[usage], u[outcome], adjust='holm')$p.adj\n")
usage <- c("active_share", "passive_share", "post_frequency")
outcome <- c("alignment", "engagement", "efficiency", "satisfaction")
ct <- corr.test(u[usage], u[outcome], adjust = "holm")
for (i in seq_along(usage)) for (j in seq_along(outcome)) {
  k <- (j - 1) * length(usage) + i # ct$ci is in column-major order of the r matrix
  cat(sprintf("usage/holm %s-%s: n=%d r=%.15g lower=%.15g upper=%.15g p=%.15g p_adj=%.15g\n",
              usage[i], outcome[j], ct$n[i, j], ct$r[i, j], ct$ci$lower[k], ct$ci$upper[k],
              ct$p[i, j], ct$p.adj[i, j]))
}
cts <- corr.test(u[usage], u[outcome], method = "spearman", adjust = "BH")
for (i in seq_along(usage)) for (j in seq_along(outcome)) {
  k <- (j - 1) * length(usage) + i
  cat(sprintf("usage/spearman/BH %s-%s: n=%d r=%.15g lower=%.15g upper=%.15g p=%.15g p_adj=%.15g\n",
              usage[i], outcome[j], cts$n[i, j], cts$r[i, j], cts$ci$lower[k], cts$ci$upper[k],
              cts$p[i, j], cts$p.adj[i, j]))
}

cat("\n## partial correlations (complete cases; residuals of lm; df = n - 2 - k)\n")
partial <- function(x, y, covar, method = "pearson", label) {
  cc <- u[complete.cases(u[c(x, y, covar)]), c(x, y, covar)]
  if (method == "spearman") {
    for (v in c(x, y)) cc[[v]] <- rank(cc[[v]])
    for (v in covar) if (is.numeric(cc[[v]])) cc[[v]] <- rank(cc[[v]])
  }
  f <- function(v) as.formula(paste(v, "~", paste(covar, collapse = " + ")))
  design <- model.matrix(f(x), cc)
  k <- ncol(design) - 1 # covariate columns after dummy coding
  rx <- resid(lm(f(x), cc))
  ry <- resid(lm(f(y), cc))
  n <- nrow(cc)
  r <- cor(rx, ry)
  df <- n - 2 - k
  tt <- r * sqrt(df) / sqrt(1 - r^2)
  p <- 2 * pt(-abs(tt), df)
  cp <- corr.p(matrix(c(1, r, r, 1), 2, dimnames = list(c(x, y), c(x, y))), n = n - k,
                adjust = "none")
  cat(sprintf("%s: n=%d k=%d r=%.15g lower=%.15g upper=%.15g p=%.15g corr.p_p=%.15g\n",
              label, n, k, r, cp$ci$lower[2], cp$ci$upper[2], p, cp$p[2, 1]))
}
partial("active_share", "alignment", "employees", label = "partial active~alignment | employees")
partial("active_share", "alignment", "size_class",
        label = "partial active~alignment | size_class")
partial("active_share", "efficiency", c("employees", "size_class"),
        label = "partial active~efficiency | employees + size_class")
partial("active_share", "alignment", "employees", method = "spearman",
        label = "partial spearman active~alignment | employees")
# psych::partial.r on the complete cases gives the same r as the residual route:
cc <- na.omit(u[c("active_share", "alignment", "employees")])
out("partial.r(cc, c(1,2), 3)[1,2]", partial.r(cc, c(1, 2), 3)[1, 2])

cat("\n## correlate(..., covar='employees'): partial r per pair, holm over the pairs\n")
pv <- c("active_share", "passive_share", "alignment")
ps <- c()
for (i in 1:2) for (j in (i + 1):3) {
  cc <- na.omit(u[c(pv[i], pv[j], "employees")])
  r <- partial.r(cc, c(1, 2), 3)[1, 2]
  n <- nrow(cc)
  tt <- r * sqrt(n - 3) / sqrt(1 - r^2)
  p <- 2 * pt(-abs(tt), n - 3)
  ps <- c(ps, p)
  cat(sprintf("covar %s-%s: n=%d r=%.15g p=%.15g\n", pv[i], pv[j], n, r, p))
}
out("p.adjust(ps, 'holm')", p.adjust(ps, "holm"))

# ---------------------------------------------------------------------------------------
# Comparing editions: editions.csv
# ---------------------------------------------------------------------------------------
e <- read.csv("data/editions.csv")
cat("\n## has_kpis 2016 vs 2018\n")
kpis <- as.logical(e$has_kpis) # read.csv already reads "True"/"False" as logical
k16 <- na.omit(kpis[e$edition == 2016])
k18 <- na.omit(kpis[e$edition == 2018])
x2 <- c(sum(k16), sum(k18))
n2 <- c(length(k16), length(k18))
out("counts (True 2016, True 2018)", x2)
out("n (2016, 2018)", n2)
tab <- rbind(x2, n2 - x2)
ch <- chisq.test(tab)
out("chisq.test(tab)$statistic", ch$statistic)
out("chisq.test(tab)$p.value", ch$p.value)
ch0 <- chisq.test(tab, correct = FALSE)
out("chisq.test(tab, correct=FALSE)$statistic", ch0$statistic)
out("chisq.test(tab, correct=FALSE)$p.value", ch0$p.value)
pt2 <- prop.test(x2, n2)
out("prop.test(x, n)$statistic", pt2$statistic)
out("prop.test(x, n)$conf.int", pt2$conf.int)
out("prop.test(x, n, correct=FALSE)$conf.int", prop.test(x2, n2, correct = FALSE)$conf.int)
out("cramers V = sqrt(chisq.test(tab, correct=FALSE)$statistic / sum(tab))",
    sqrt(ch0$statistic / sum(tab)))

cat("\n## platform by edition (4 x 2)\n")
tp <- table(e$platform, e$edition)
print(tp)
chp <- chisq.test(tp)
out("chisq.test(table(platform, edition))$statistic", chp$statistic)
out("chisq.test(table(platform, edition))$parameter", chp$parameter)
out("chisq.test(table(platform, edition))$p.value", chp$p.value)
out("cramers V", sqrt(chp$statistic / (sum(tp) * (min(dim(tp)) - 1))))
for (pl in rownames(tp)) {
  ci <- prop.test(tp[pl, ], colSums(tp))$conf.int
  cat(sprintf("prop.test(%s) conf.int = %.15g, %.15g\n", pl, ci[1], ci[2]))
}

cat("\n## maturity 2016 vs 2018\n")
m16 <- na.omit(e$maturity[e$edition == 2016])
m18 <- na.omit(e$maturity[e$edition == 2018])
tt <- t.test(m16, m18)
out("t.test(a, b)$statistic", tt$statistic)
out("t.test(a, b)$parameter", tt$parameter)
out("t.test(a, b)$p.value", tt$p.value)
out("t.test(a, b)$conf.int", tt$conf.int)
out("t.test(a, b)$estimate", tt$estimate)
w <- wilcox.test(m16, m18, exact = FALSE, correct = TRUE)
out("wilcox.test(a, b, exact=FALSE, correct=TRUE)$statistic", w$statistic)
out("wilcox.test(a, b, exact=FALSE, correct=TRUE)$p.value", w$p.value)
out("rank-biserial 2 * W / (n1 n2) - 1", 2 * w$statistic / (length(m16) * length(m18)) - 1)
# Hedges' g with the Hedges & Olkin large-sample CI, in base R (no effsize package here).
n1 <- length(m16); n2b <- length(m18)
sp <- sqrt(((n1 - 1) * var(m16) + (n2b - 1) * var(m18)) / (n1 + n2b - 2))
dd <- (mean(m16) - mean(m18)) / sp
g <- dd * (1 - 3 / (4 * (n1 + n2b) - 9))
se <- sqrt((n1 + n2b) / (n1 * n2b) + g^2 / (2 * (n1 + n2b)))
out("hedges g", g)
out("hedges g CI", g + c(-1, 1) * qt(0.975, n1 + n2b - 2) * se)

# ---------------------------------------------------------------------------------------
# Rankings: reasons.csv
# ---------------------------------------------------------------------------------------
cat("\n## reasons for not using\n")
rs <- read.csv("data/reasons.csv")
opts <- c("no_need", "unclear_use", "it_not_ready", "no_management_support",
          "where_to_start", "costs")
m <- as.matrix(rs[opts])
ft <- friedman.test(m)
nc <- sum(complete.cases(m))
out("friedman.test(as.matrix(x))$statistic", ft$statistic)
out("friedman.test(as.matrix(x))$parameter", ft$parameter)
out("friedman.test(as.matrix(x))$p.value", ft$p.value)
out("sum(complete.cases(x))", nc)
out("kendall W = statistic / (n (k - 1))", ft$statistic / (nc * (length(opts) - 1)))
out("colSums(!is.na(x))", colSums(!is.na(m)))
out("colMeans(x, na.rm=TRUE)", colMeans(m, na.rm = TRUE))
out("colSums(x == 1, na.rm=TRUE) / respondents", colSums(m == 1, na.rm = TRUE) /
  sum(rowSums(!is.na(m)) > 0))

# A ranking with tied ranks in its fourth row (the tie correction of the statistic):
tied <- matrix(c(1, 1, 2, 1, 2, 3, 1, 2, 3, 2, 3, 2), 4)
out("friedman.test(tied)$statistic", friedman.test(tied)$statistic)
