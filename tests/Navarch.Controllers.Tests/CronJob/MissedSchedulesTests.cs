using Navarch.Controllers.CronJob;

namespace Navarch.Controllers.Tests.CronJob;

public sealed class MissedSchedulesTests
{
    private static readonly DateTimeOffset Base = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Find_BeforeTheFirstStart_FindsNothing()
    {
        var missed = MissedSchedules.Find(CronSchedule.Parse("0 * * * *"), Base, Base.AddMinutes(59), TimeZoneInfo.Utc);
        Assert.Equal(new MissedSchedules(null, 0), missed);
    }

    [Fact]
    public void Find_AfterSeveralStarts_ReturnsTheLatestAndTheCount()
    {
        var missed = MissedSchedules.Find(CronSchedule.Parse("*/10 * * * *"), Base, Base.AddMinutes(35), TimeZoneInfo.Utc);
        Assert.Equal(new MissedSchedules(Base.AddMinutes(30), 3), missed);
    }

    [Fact]
    public void Find_StartExactlyNow_IsDue()
    {
        var missed = MissedSchedules.Find(CronSchedule.Parse("* * * * *"), Base, Base.AddMinutes(1), TimeZoneInfo.Utc);
        Assert.Equal(Base.AddMinutes(1), missed.MostRecent);
    }

    [Fact]
    public void Find_AfterALongOutage_CountsPastTheLimitAndStillFindsTheLatestStart()
    {
        var now = Base.AddDays(30).AddSeconds(20);
        var missed = MissedSchedules.Find(CronSchedule.Parse("* * * * *"), Base, now, TimeZoneInfo.Utc);
        Assert.True(missed.Count > MissedSchedules.TooMany);
        Assert.Equal(Base.AddDays(30), missed.MostRecent);
    }

    [Fact]
    public void Find_AfterALongOutageOnASparseSchedule_FindsTheLatestStart()
    {
        // Every minute of the first day of each month: the last start before May 3rd is 23:59 on May 1st.
        var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var now = new DateTimeOffset(2024, 5, 3, 12, 0, 0, TimeSpan.Zero);
        var missed = MissedSchedules.Find(CronSchedule.Parse("* * 1 * *"), start, now, TimeZoneInfo.Utc);
        Assert.True(missed.Count > MissedSchedules.TooMany);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 23, 59, 0, TimeSpan.Zero), missed.MostRecent);
    }
}
