# A small sample (500 simulated responses, 14 to 129 per county, clusters = channel) where
# raking to respondent_type and area has no solution in two counties. R's rake() does not
# converge on it; the fallbacks the analysis documents (analysis/fallbacks.py) are coded
# here by hand as recodes, and R's survey 4.1-1 rakes the result. Usage: Rscript reference.R
suppressMessages(library(survey))
d <- read.csv("responses.csv", colClasses=c(county="character", channel="character"))
tg <- read.csv("targets.csv", colClasses=c(county="character"))
items <- sprintf("q%02d", 1:16)
S <- as.matrix((d[, items] - 1) / 4 * 100)
ans <- !is.na(S); S0 <- S; S0[!ans] <- 0
d$index <- as.vector(rowSums(S0) / rowSums(ans))
popc <- tapply(tg$population[tg$variable == "area"], tg$county[tg$variable == "area"], sum)
d$w0 <- as.numeric(popc[d$county] / table(d$county)[d$county])
des <- svydesign(ids=~channel, strata=~county, weights=~w0, data=d)
pt <- tg[tg$variable == "respondent_type", ]; pa <- tg[tg$variable == "area", ]
pm_a <- data.frame(county=pa$county, area=pa$category, Freq=pa$population)

# As given, with empty cells merged into their neighbour (teacher -> public in 511527 and
# 511529), raking has no solution: R's rake() stops without a warning, its weights missing
# 511527's parent target by half.
merge <- function(county, from, to) {
  d$type_w[d$county == county & d$type_w == from] <<- to
  pt$category[pt$county == county & pt$category == from] <<- to
}
d$type_w <- d$respondent_type
merge("511527", "teacher", "public"); merge("511529", "teacher", "public")
pm <- function() aggregate(population ~ county + category, pt, sum)
des <- update(des, type_w=d$type_w)
p <- pm(); pm_t <- data.frame(county=p$county, type_w=p$category, Freq=p$population)
r0 <- rake(des, list(~county+type_w, ~county+area), list(pm_t, pm_a), control=list(maxit=1000, epsilon=1e-10))
parent <- coef(svytotal(~I(type_w == "parent"), subset(r0, county == "511527")))[2]
stopifnot(abs(parent / pm_t$Freq[pm_t$county == "511527" & pm_t$type_w == "parent"] - 1) > 0.4)

# The fallbacks: 511526 merges public (4 responses) into teacher; 511527 merges student (1)
# into public, then public (3) into parent.
merge("511526", "public", "teacher")
merge("511527", "student", "public"); merge("511527", "public", "parent")
des <- update(des, type_w=d$type_w)
p <- pm(); pm_t <- data.frame(county=p$county, type_w=p$category, Freq=p$population)
r <- rake(des, list(~county+type_w, ~county+area), list(pm_t, pm_a), control=list(maxit=1000, epsilon=1e-10))
b <- svyby(~index, ~county, r, svymean)
m <- svymean(~index, r)
write.csv(rbind(data.frame(county=b$county, index=b$index, se=SE(b)),
                data.frame(county="ALL", index=coef(m), se=as.numeric(SE(m)))),
          "county_results.csv", row.names=FALSE)
write.csv(data.frame(response_id=d$response_id, weight=weights(r)), "weights.csv", row.names=FALSE)
