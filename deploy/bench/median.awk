# median(key, col): the median of column col over the cnt[key] rows kept as val[key, i, col] (i = 1..cnt[key]),
# the mean of the middle two for an even count, "nan" for none. Shared by report.awk and run.sh's CPU table.
function median(key, col,   n, i, j, t, a) {
  n = cnt[key]; if (!n) return "nan"
  for (i = 1; i <= n; i++) a[i] = val[key, i, col] + 0
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
