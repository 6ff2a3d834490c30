# Degrees of freedom, t intervals, logit share intervals, design-based effective n and the
# comparison of each county with the whole, on the raking reference case (../raking) with
# clusters = channel (four counties have only 2 or 3 channels). Computed with R's survey
# 4.1-1 (Debian package r-cran-survey). Usage: Rscript reference.R
suppressMessages(library(survey))
dd <- "../raking"
d <- read.csv(file.path(dd, "responses.csv"), colClasses=c(county="character", channel="character"))
tg <- read.csv(file.path(dd, "targets.csv"), colClasses=c(county="character"))
iw <- read.csv(file.path(dd, "item_weights.csv"))
items <- iw$item; w <- iw$weight
S <- as.matrix((d[, items] - 1) / 4 * 100)
ans <- !is.na(S); S0 <- S; S0[!ans] <- 0
d$index <- as.vector((S0 %*% w) / (ans %*% w))
d <- d[is.finite(d$index), ]
npc <- table(d$county)
popc <- tapply(tg$population[tg$variable == "area"], tg$county[tg$variable == "area"], sum)
d$w0 <- as.numeric(popc[d$county] / npc[d$county])
d$sat_q01 <- ifelse(is.na(d$q01), NA, as.numeric(d$q01 >= 4))
d$sat_q09 <- ifelse(is.na(d$q09), NA, as.numeric(d$q09 >= 4))
des <- svydesign(ids=~channel, strata=~county, weights=~w0, data=d)
pt <- tg[tg$variable == "respondent_type", ]; pa <- tg[tg$variable == "area", ]
r <- rake(des, sample.margins=list(~county+respondent_type, ~county+area),
          population.margins=list(data.frame(county=pt$county, respondent_type=pt$category, Freq=pt$population),
                                  data.frame(county=pa$county, area=pa$category, Freq=pa$population)),
          control=list(maxit=100, epsilon=1e-10))
counties <- sort(unique(d$county))

# 1. Index per county and overall: df, t interval, design effect, n / deff.
out <- NULL
for (c in counties) {
  sub <- subset(r, county == c)
  m <- svymean(~index, sub, deff="replace")
  df <- degf(sub)
  ci <- confint(m, df=df)
  out <- rbind(out, data.frame(county=c, df=df, index=coef(m), se=as.numeric(SE(m)), ci_low=ci[1], ci_high=ci[2],
                               deff=deff(m), n=sum(d$county == c), n_effective=sum(d$county == c) / deff(m)))
}
m <- svymean(~index, r, deff="replace")
ci <- confint(m, df=degf(r))
out <- rbind(out, data.frame(county="ALL", df=degf(r), index=coef(m), se=as.numeric(SE(m)), ci_low=ci[1], ci_high=ci[2],
                             deff=deff(m), n=nrow(d), n_effective=nrow(d) / deff(m)))
write.csv(out, "county_intervals.csv", row.names=FALSE)

# 2. Each county against the whole: the whole is sum_h (N_h / N) m_h (raking fixes each
#    county's total) and counties are independent strata, so the difference has variance
#    (1 - s_c)^2 v_c + sum_{h != c} s_h^2 v_h (svyby's covmat=TRUE fails on a raked design
#    in survey 4.1-1); t test with the county's df.
b <- svyby(~index, ~county, r, svymean)
share <- as.numeric(popc[counties] / sum(popc))
v <- SE(b)^2
out <- NULL
for (k in seq_along(counties)) {
  contrast <- -share; contrast[k] <- contrast[k] + 1
  diff <- sum(contrast * coef(b)); se_diff <- sqrt(sum(contrast^2 * v))
  df <- degf(subset(r, county == counties[k]))
  out <- rbind(out, data.frame(county=counties[k], diff=diff, se_diff=se_diff, df=df,
                               p=2 * pt(-abs(diff / se_diff), df)))
}
write.csv(out, "versus_all.csv", row.names=FALSE)

# 3. Share satisfied (answer 4 or 5, among those who answered) with logit intervals:
#    method="logit" fits svyglm(quasibinomial), which needs df >= 2; the delta-method
#    interval expit(logit(p) -/+ qt(0.975, df) SE(p) / (p (1 - p))) is the same and works
#    with df = 1 too (svyciprop's "xlogit" gives NA on this raked design in survey 4.1-1).
out <- NULL
for (i in c("q01", "q09")) {
  f <- as.formula(paste0("~sat_", i))
  for (c in c(counties, "ALL")) {
    sub <- if (c == "ALL") r else subset(r, county == c)
    df <- degf(sub)
    answered <- subset(sub, !is.na(sub$variables[[paste0("sat_", i)]]))
    m <- svymean(f, answered, na.rm=TRUE)
    share <- as.numeric(coef(m)); half <- qt(0.975, df) * as.numeric(SE(m)) / (share * (1 - share))
    p <- if (df >= 2) attr(svyciprop(f, answered, method="logit", df=df), "ci") else c(NA, NA)
    out <- rbind(out, data.frame(county=c, item=i, share=share, df=df,
                                 delta_low=plogis(qlogis(share) - half), delta_high=plogis(qlogis(share) + half),
                                 logit_low=p[1], logit_high=p[2]))
  }
}
write.csv(out, "share_intervals.csv", row.names=FALSE)
