namespace Navarch.Controllers.CronJob;

/// <summary>
/// Which start times a CronJob missed, as the CronJob controller's mostRecentScheduleTime: the latest activation after
/// <c>earliest</c> (the last schedule time, else the creation time, moved up to now − startingDeadlineSeconds) that is
/// not after now, and how many there were (counting stops past <see cref="TooMany"/>, when Kubernetes warns).
/// </summary>
internal readonly record struct MissedSchedules(DateTimeOffset? MostRecent, int Count)
{
    /// <summary>More missed starts than this and the controller records TooManyMissedTimes.</summary>
    public const int TooMany = 100;

    public static MissedSchedules Find(CronSchedule schedule, DateTimeOffset earliest, DateTimeOffset now, TimeZoneInfo zone)
    {
        DateTimeOffset? last = null;
        var count = 0;
        for (var t = schedule.Next(earliest, zone); t is { } at && at <= now; t = schedule.Next(at, zone))
        {
            last = at;
            if (++count > TooMany)
            {
                // Walking every start since a long outage is wasted work: look back from now instead.
                return new MissedSchedules(Latest(schedule, earliest, now, zone) ?? last, count);
            }
        }

        return new MissedSchedules(last, count);
    }

    /// <summary>The latest activation in (floor, now], searching back through windows that double in length.</summary>
    private static DateTimeOffset? Latest(CronSchedule schedule, DateTimeOffset floor, DateTimeOffset now, TimeZoneInfo zone)
    {
        for (var window = TimeSpan.FromMinutes(1); ; window *= 2)
        {
            var start = now - window < floor ? floor : now - window;
            DateTimeOffset? latest = null;
            for (var t = schedule.Next(start, zone); t is { } at && at <= now; t = schedule.Next(at, zone))
            {
                latest = at;
            }

            if (latest is not null || start == floor)
            {
                return latest;
            }
        }
    }
}
