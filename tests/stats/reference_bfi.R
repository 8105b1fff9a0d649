# Reference values for tests/test_cli_stats.py::*bfi*, on real survey data: the bfi
# items of R psych (2800 respondents of the SAPA project, with missing answers).
# Run: Rscript tests/stats/reference_bfi.R (R 4.2.2, psych 2.2.9); it also writes bfi.csv.
options(digits = 15)
library(psych)
data(bfi, package = "psych")
d <- bfi[, c("A1","A2","A3","A4","A5","C1","C2","C3","C4","C5","gender","education","age")]
write.csv(d, "bfi.csv", row.names = FALSE, na = "")
A <- d[, c("A1","A2","A3","A4","A5")]
a <- alpha(A, keys = c("A1"))
cat("A n", sum(rowSums(!is.na(A)) > 0), "\n")
cat("A raw_alpha", a$total$raw_alpha, "\n")
cat("A std.alpha", a$total$std.alpha, "\n")
cat("A r.drop", a$item.stats$r.drop, "\n")
cat("A alpha.drop", a$alpha.drop$raw_alpha, "\n")
Ar <- A; Ar$A1 <- 7 - Ar$A1
cat("A omega", omega(Ar, nfactors = 1, plot = FALSE)$omega.tot, "\n")
C <- d[, c("C1","C2","C3","C4","C5")]
c5 <- alpha(C, keys = c("C4","C5"))
cat("C raw_alpha", c5$total$raw_alpha, "\n")
cat("C std.alpha", c5$total$std.alpha, "\n")
cat("C r.drop", c5$item.stats$r.drop, "\n")
cat("C alpha.drop", c5$alpha.drop$raw_alpha, "\n")
Cr <- C; Cr$C4 <- 7 - Cr$C4; Cr$C5 <- 7 - Cr$C5
cat("C omega", omega(Cr, nfactors = 1, plot = FALSE)$omega.tot, "\n")
v <- d[, c("A1","A3","C1","C5","age")]
ct <- corr.test(v, adjust = "holm")
for (i in 1:4) for (j in (i+1):5) cat("pair", colnames(v)[i], colnames(v)[j], ct$n[i,j], ct$r[i,j], ct$ci$lower[which(rownames(ct$ci) == paste0(substr(colnames(v)[i],1,3), "-", substr(colnames(v)[j],1,3)))], ct$p[j,i], ct$p[i,j], "\n")
print(ct$ci)
