# More estimands on the raking reference case (../raking), computed with R's survey 4.1-1 and
# metafor 3.8-1 (Debian packages r-cran-survey, r-cran-metafor). Usage: Rscript reference.R
suppressMessages({library(survey); library(metafor)})
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
des <- svydesign(ids=~1, strata=~county, weights=~w0, data=d)
pt <- tg[tg$variable == "respondent_type", ]; pa <- tg[tg$variable == "area", ]
pm_t <- data.frame(county=pt$county, respondent_type=pt$category, Freq=pt$population)
pm_a <- data.frame(county=pa$county, area=pa$category, Freq=pa$population)
r <- rake(des, sample.margins=list(~county+respondent_type, ~county+area),
          population.margins=list(pm_t, pm_a), control=list(maxit=100, epsilon=1e-10))

# 1. Index by respondent type within county (domains), and design effects of the county index.
b <- svyby(~index, ~county+respondent_type, r, svymean)
write.csv(data.frame(county=b$county, respondent_type=b$respondent_type, index=b$index, se=SE(b)),
          "domains.csv", row.names=FALSE)
b <- svyby(~index, ~county, r, svymean, deff="replace")
write.csv(data.frame(county=b$county, deff=b[[grep("^DEff", names(b))]]), "deff.csv", row.names=FALSE)

# 2. Share satisfied (answer 4 or 5) of q01 and q09 per county, with design effects.
out <- NULL
for (i in c("q01", "q09")) {
  d[[paste0("sat_", i)]] <- ifelse(is.na(d[[i]]), NA, 100 * (d[[i]] >= 4))
  r <- update(r, tmp=d[[paste0("sat_", i)]])
  b <- svyby(~tmp, ~county, r, svymean, na.rm=TRUE, deff="replace")
  out <- rbind(out, data.frame(county=b$county, item=i, share=b$tmp / 100, se=SE(b) / 100, deff=b[[grep("^DEff", names(b))]]))
}
write.csv(out, "shares.csv", row.names=FALSE)

# 3. Post-stratification to area alone (one margin).
ps <- postStratify(des, ~county+area, data.frame(county=pa$county, area=pa$category, Freq=pa$population))
b <- svyby(~index, ~county, ps, svymean)
write.csv(data.frame(county=b$county, index=b$index, se=SE(b)), "poststratified.csv", row.names=FALSE)

# 4. Fay-Herriot (random-effects model, REML) on the raked county indexes.
b <- svyby(~index, ~county, r, svymean)
fit <- rma(yi=b$index, vi=SE(b)^2, method="REML", control=list(threshold=1e-12, maxiter=1000))
p <- blup(fit)
write.csv(data.frame(county=b$county, direct=b$index, variance=SE(b)^2, blup=p$pred, blup_se=p$se,
                     tau2=fit$tau2, mu=as.numeric(coef(fit))), "fay_herriot.csv", row.names=FALSE)
