-- The activity metrics by hand in DuckDB SQL: the baseline that the Ibis version is timed
-- and checked against (bench/activity.py). Same definitions as docs/metrics.md, for the
-- case with a roster. Placeholders, filled in by bench/activity.py:
--   {events}      the event Parquet source, e.g. read_parquet('DIR/events/**/*.parquet')
--   {roster}      the roster Parquet source
--   {group_expr}  the group key: 'all' overall, group_id per group (null is a group)
-- The connection must be in UTC (SET TimeZone = 'UTC').
WITH ev AS (
    SELECT
        platform, user_id, action, thread_id, ts,
        {group_expr} AS k,
        CAST(year(ts) * 12 + month(ts) - 1 AS BIGINT) AS mi,
        CAST(ts AS DATE) AS day
    FROM {events}
    WHERE action IN ('post', 'reply', 'react', 'read')
      AND user_id IS NOT NULL AND ts IS NOT NULL
),
people AS (
    SELECT CAST(user_id AS VARCHAR) AS user_id, min(CAST(department AS VARCHAR)) AS department
    FROM {roster}
    WHERE user_id IS NOT NULL
    GROUP BY 1
),
evr AS (
    SELECT ev.*, people.department, people.user_id IS NOT NULL AS in_roster
    FROM ev LEFT JOIN people USING (user_id)
),
aud AS (SELECT * FROM evr WHERE in_roster),
periods AS (
    SELECT mi, k, min(year(ts)) AS y, min(month(ts)) AS m,
           count(DISTINCT user_id) FILTER (WHERE NOT in_roster) AS outside_roster
    FROM evr GROUP BY mi, k
),
um AS (
    SELECT mi, k, user_id,
           count(*) FILTER (WHERE action = 'post') AS posts,
           count(*) FILTER (WHERE action = 'reply') AS replies,
           count(*) FILTER (WHERE action = 'react') AS reacts,
           count(DISTINCT day) FILTER (WHERE action IN ('post', 'reply')) AS days
    FROM aud GROUP BY mi, k, user_id
),
us AS (
    SELECT mi, k,
           count(*) AS seen,
           count(*) FILTER (WHERE posts + replies > 0) AS active,
           count(*) FILTER (WHERE posts > 0) AS creators,
           count(*) FILTER (WHERE posts = 0 AND replies + reacts > 0) AS contributors,
           count(*) FILTER (WHERE posts + replies + reacts = 0) AS consumers,
           quantile_cont(days, 0.5) FILTER (WHERE posts + replies > 0) AS days_median,
           quantile_cont(days, 0.25) FILTER (WHERE posts + replies > 0) AS days_p25,
           quantile_cont(days, 0.75) FILTER (WHERE posts + replies > 0) AS days_p75,
           sum(days) FILTER (WHERE posts + replies > 0) AS days_sum,
           count(*) FILTER (WHERE posts + replies > 0 AND days >= 4) AS frequent
    FROM um GROUP BY mi, k
),
ranked AS (
    SELECT mi, k, posts + replies AS n,
           row_number() OVER (PARTITION BY mi, k ORDER BY posts + replies) AS r_asc,
           row_number() OVER (PARTITION BY mi, k ORDER BY posts + replies DESC) AS r_desc,
           count(*) OVER (PARTITION BY mi, k) AS users
    FROM um WHERE posts + replies > 0
),
ineq AS (
    SELECT mi, k,
           sum((2 * r_asc - users - 1) * n) / (max(users) * sum(n)) AS gini,
           sum(n) FILTER (WHERE (r_desc - 1) * 100 < users) / sum(n) AS top1_share,
           sum(n) FILTER (WHERE (r_desc - 1) * 10 < users) / sum(n) AS top10_share
    FROM ranked GROUP BY mi, k
),
health AS (
    SELECT um.mi + o.o AS mi, um.k, count(DISTINCT um.user_id) AS active_12m
    FROM um CROSS JOIN range(12) AS o(o)
    WHERE um.posts + um.replies > 0
    GROUP BY 1, 2
),
posts AS (
    SELECT mi, k, platform, thread_id, user_id AS starter, ts AS started,
           department AS starter_department
    FROM aud WHERE action = 'post'
),
replies AS (
    SELECT mi, k, platform, thread_id, user_id AS replier, ts AS replied,
           department AS replier_department
    FROM aud WHERE action = 'reply'
),
first_reply AS (
    SELECT p.platform, p.thread_id, p.started, min(r.replied) AS first_reply
    FROM posts p JOIN replies r
      ON p.platform = r.platform AND p.thread_id = r.thread_id
     AND r.replier <> p.starter AND r.replied >= p.started
    GROUP BY 1, 2, 3
),
waits AS (
    SELECT p.mi, p.k, date_diff('microsecond', p.started, f.first_reply) / 1e6 AS wait
    FROM posts p LEFT JOIN first_reply f USING (platform, thread_id, started)
),
dlg AS (
    SELECT mi, k, count(*) AS threads, count(wait) AS replied_threads,
           quantile_cont(wait, 0.5) AS median_wait,
           count(*) FILTER (WHERE wait <= 1800) AS quick
    FROM waits GROUP BY mi, k
),
xdept AS (
    SELECT r.mi, r.k, count(*) AS pairs,
           count(*) FILTER (WHERE r.replier_department <> p.starter_department) AS across
    FROM replies r JOIN posts p
      ON r.platform = p.platform AND r.thread_id = p.thread_id AND r.replier <> p.starter
    WHERE r.replier_department IS NOT NULL AND p.starter_department IS NOT NULL
    GROUP BY r.mi, r.k
),
audience AS (SELECT count(*) AS audience FROM people)
SELECT
    make_date(CAST(p.y AS BIGINT), CAST(p.m AS BIGINT), 1) AS month,
    p.k AS group_id,
    a.audience,
    'roster' AS audience_source,
    p.outside_roster,
    coalesce(us.seen, 0) AS seen,
    coalesce(us.active, 0) AS active,
    coalesce(us.seen, 0) - coalesce(us.active, 0) AS passive,
    a.audience - coalesce(us.seen, 0) AS inactive,
    coalesce(us.active, 0) / a.audience AS active_share,
    (coalesce(us.seen, 0) - coalesce(us.active, 0)) / a.audience AS passive_share,
    (a.audience - coalesce(us.seen, 0)) / a.audience AS inactive_share,
    coalesce(us.creators, 0) AS creators,
    coalesce(us.contributors, 0) AS contributors,
    coalesce(us.consumers, 0) AS consumers,
    us.creators / nullif(us.seen, 0) AS creators_share,
    us.contributors / nullif(us.seen, 0) AS contributors_share,
    us.consumers / nullif(us.seen, 0) AS consumers_share,
    us.days_median AS active_days_median,
    us.days_p25 AS active_days_p25,
    us.days_p75 AS active_days_p75,
    us.days_sum / nullif(us.active, 0) AS active_days_mean,
    us.frequent / nullif(us.active, 0) AS share_active_4_days,
    coalesce(d.threads, 0) AS threads,
    coalesce(d.replied_threads, 0) AS replied_threads,
    d.replied_threads / nullif(d.threads, 0) AS reply_rate,
    d.median_wait AS median_time_to_first_reply,
    d.quick / nullif(d.threads, 0) AS share_replied_within_30_min,
    x.across / nullif(x.pairs, 0) AS cross_department_reply_share,
    i.gini, i.top1_share, i.top10_share,
    us.days_sum / nullif(
        day(last_day(make_date(CAST(p.y AS BIGINT), CAST(p.m AS BIGINT), 1))) * us.active, 0
    ) AS dau_mau,
    coalesce(us.active, 0) / nullif(h.active_12m, 0) AS health_index
FROM periods p
CROSS JOIN audience a
LEFT JOIN us ON us.mi = p.mi AND us.k IS NOT DISTINCT FROM p.k
LEFT JOIN ineq i ON i.mi = p.mi AND i.k IS NOT DISTINCT FROM p.k
LEFT JOIN health h ON h.mi = p.mi AND h.k IS NOT DISTINCT FROM p.k
LEFT JOIN dlg d ON d.mi = p.mi AND d.k IS NOT DISTINCT FROM p.k
LEFT JOIN xdept x ON x.mi = p.mi AND x.k IS NOT DISTINCT FROM p.k
ORDER BY p.mi, p.k NULLS FIRST
