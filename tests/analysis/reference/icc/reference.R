# Inter-rater reliability ICC(A,1) and ICC(A,k) (two-way random effects, absolute
# agreement) on six rating matrices, computed with R 4.2.2, irr 0.84.1 and psych 2.2.9
# (psych and lme4 1.1-31 from Debian: r-cran-psych, r-cran-lme4; irr is not packaged by
# Debian and was installed from its CRAN source with R CMD INSTALL). Usage: Rscript reference.R
# Writes ratings.csv (case, target, rater, score; empty = not scored) and expected.csv.
suppressMessages({library(irr); library(psych)})
set.seed(20240611)

# A panel: counties x points as targets, a rater bias per expert, scores 0..top.
panel <- function(counties, points, bias, top, spread=1.5, noise=1) {
  n <- counties * points
  county <- rep(rnorm(counties, 0, spread / 2), each=points)
  truth <- top / 2 + county + rnorm(n, 0, spread)
  x <- outer(truth, bias, "+") + matrix(rnorm(n * length(bias), 0, noise), n)
  pmin(pmax(round(x), 0), top)
}

cases <- list(
  # Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges.
  shrout_fleiss=matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7),
                       ncol=4, byrow=TRUE),
  # 10 counties x 5 points, 5 experts: one lenient (+1.5), one harsh (-2).
  panel=panel(10, 5, c(0, 1.5, -2, 0.3, -0.3), top=10),
  small=matrix(c(3, 4, 3, 5, 5, 4, 1, 2, 2, 4, 3, 5), ncol=3, byrow=TRUE),
  # Targets hardly differ: the rater noise dominates, ICC(A,1) is near 0 and its lower bound below.
  near_zero=panel(4, 5, c(0, 0.2, -0.2), top=10, spread=0.05, noise=1.2),
  two_raters=panel(4, 5, c(0, 1), top=8)
)
# 6 counties x 5 points, 4 experts; expert 3 declared a conflict with county 2 (its
# 5 points), expert 1 skipped one point of county 5.
m <- panel(6, 5, c(0, 1, -1, 0.5), top=10)
m[6:10, 3] <- NA
m[23, 1] <- NA
cases$missing <- m

long <- NULL
out <- NULL
row <- function(case, source, unit, icc, f, df1, df2, p, lower, upper, n, k)
  data.frame(case=case, source=source, unit=unit, icc=icc, f=f, df1=df1, df2=df2, p=p,
             lower=lower, upper=upper, n_targets=n, n_raters=k)
for (name in names(cases)) {
  x <- cases[[name]]
  long <- rbind(long, data.frame(case=name, target=rep(seq_len(nrow(x)), ncol(x)),
                                 rater=rep(seq_len(ncol(x)), each=nrow(x)), score=as.vector(x)))
  for (unit in c("single", "average")) {
    # irr::icc drops incomplete targets (na.omit).
    r <- icc(x, model="twoway", type="agreement", unit=unit)
    out <- rbind(out, row(name, "irr", unit, r$value, r$Fvalue, r$df1, r$df2, r$p.value,
                          r$lbound, r$ubound, r$subjects, r$raters))
  }
  # psych::ICC by ANOVA on the complete targets, and by lmer (REML) on every score.
  for (lmer in c(FALSE, TRUE)) {
    p <- if (lmer) ICC(x, lmer=TRUE) else ICC(na.omit(x), lmer=FALSE)
    res <- p$results
    for (i in 1:2) {
      j <- c("Single_random_raters", "Average_random_raters")[i]
      out <- rbind(out, row(name, if (lmer) "psych_lmer" else "psych", c("single", "average")[i],
                            res[j, "ICC"], res[j, "F"], res[j, "df1"], res[j, "df2"], res[j, "p"],
                            res[j, "lower bound"], res[j, "upper bound"], p$n.obs, p$n.judge))
    }
  }
}
write.csv(long, "ratings.csv", row.names=FALSE, na="")
write.csv(out, "expected.csv", row.names=FALSE)
