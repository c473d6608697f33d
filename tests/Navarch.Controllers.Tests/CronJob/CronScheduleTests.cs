using Navarch.Controllers.CronJob;

namespace Navarch.Controllers.Tests.CronJob;

public sealed class CronScheduleTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, null, System.Globalization.DateTimeStyles.AssumeUniversal);

    private static DateTimeOffset? NextUtc(string schedule, string after, TimeZoneInfo? zone = null) =>
        CronSchedule.Parse(schedule).Next(Utc(after), zone ?? TimeZoneInfo.Utc)?.ToUniversalTime();

    [Theory]
    [InlineData("* * * * *", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z")]
    [InlineData("* * * * *", "2024-05-01T10:00:30Z", "2024-05-01T10:01:00Z")]
    [InlineData("*/15 * * * *", "2024-05-01T10:01:00Z", "2024-05-01T10:15:00Z")]
    [InlineData("5/20 * * * *", "2024-05-01T10:26:00Z", "2024-05-01T10:45:00Z")]
    [InlineData("0 */6 * * *", "2024-05-01T13:00:00Z", "2024-05-01T18:00:00Z")]
    [InlineData("30 8-10 * * *", "2024-05-01T10:30:00Z", "2024-05-02T08:30:00Z")]
    [InlineData("0 0 1,15 * *", "2024-05-02T00:00:00Z", "2024-05-15T00:00:00Z")]
    [InlineData("0 12 * jan,JUL *", "2024-02-01T00:00:00Z", "2024-07-01T12:00:00Z")]
    [InlineData("0 9 * * mon-fri", "2024-05-03T09:00:00Z", "2024-05-06T09:00:00Z")]
    [InlineData("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z")]
    [InlineData("? ? ? ? ?", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z")]
    [InlineData("@hourly", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z")]
    [InlineData("@daily", "2024-05-01T10:00:00Z", "2024-05-02T00:00:00Z")]
    [InlineData("@midnight", "2024-05-01T10:00:00Z", "2024-05-02T00:00:00Z")]
    [InlineData("@weekly", "2024-05-01T10:00:00Z", "2024-05-05T00:00:00Z")]
    [InlineData("@monthly", "2024-05-01T10:00:00Z", "2024-06-01T00:00:00Z")]
    [InlineData("@yearly", "2024-05-01T10:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@annually", "2024-05-01T10:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@every 90s", "2024-05-01T10:00:00.700Z", "2024-05-01T10:01:30Z")]
    [InlineData("@every 1h30m", "2024-05-01T10:00:00Z", "2024-05-01T11:30:00Z")]
    public void Next_InUtc_ReturnsFirstActivationAfter(string schedule, string after, string expected) =>
        Assert.Equal(Utc(expected), NextUtc(schedule, after));

    [Fact]
    public void Next_WhenNeitherDayFieldIsStar_MatchesEitherDayOfMonthOrDayOfWeek()
    {
        // 2024-01-12 is a Friday, 2024-01-13 a Saturday.
        Assert.Equal(Utc("2024-01-12T00:00:00Z"), NextUtc("0 0 13 * 5", "2024-01-06T00:00:00Z"));
        Assert.Equal(Utc("2024-01-13T00:00:00Z"), NextUtc("0 0 13 * 5", "2024-01-12T00:00:00Z"));
        Assert.Equal(Utc("2024-01-19T00:00:00Z"), NextUtc("0 0 13 * 5", "2024-01-13T00:00:00Z"));
    }

    [Fact]
    public void Next_WhenADayFieldIsStar_RequiresBothToMatch()
    {
        Assert.Equal(Utc("2024-02-13T00:00:00Z"), NextUtc("0 0 13 * *", "2024-01-13T00:00:00Z"));
        Assert.Equal(Utc("2024-01-05T00:00:00Z"), NextUtc("0 0 * * fri", "2024-01-01T00:00:00Z"));

        // "1-31" is no wildcard: with a weekday it means either, so every day.
        Assert.Equal(Utc("2024-01-02T00:00:00Z"), NextUtc("0 0 1-31 * fri", "2024-01-01T00:00:00Z"));
    }

    [Fact]
    public void Next_WithStepOnDayOfMonth_IsNotStarAndUsesTheOrRule()
    {
        // "*/2" is no wildcard for robfig/cron: odd days OR Mondays. 2024-01-01 is a Monday.
        Assert.Equal(Utc("2024-01-03T00:00:00Z"), NextUtc("0 0 */2 * 1", "2024-01-01T00:00:00Z"));
        Assert.Equal(Utc("2024-01-08T00:00:00Z"), NextUtc("0 0 */2 * 1", "2024-01-07T00:00:00Z"));
    }

    [Fact]
    public void Next_InTimeZone_FollowsTheZonesOffsetAcrossDst()
    {
        // 09:00 in New York is 14:00Z in winter (EST) and 13:00Z after the change on 2024-03-10 (EDT).
        Assert.Equal(Utc("2024-03-09T14:00:00Z"), NextUtc("0 9 * * *", "2024-03-08T15:00:00Z", NewYork));
        Assert.Equal(Utc("2024-03-10T13:00:00Z"), NextUtc("0 9 * * *", "2024-03-09T15:00:00Z", NewYork));
        var next = CronSchedule.Parse("0 9 * * *").Next(Utc("2024-03-09T15:00:00Z"), NewYork);
        Assert.Equal(TimeSpan.FromHours(-4), next?.Offset);
    }

    [Fact]
    public void Next_AtSpringForward_SkipsTheWallTimeThatDoesNotExist()
    {
        // 02:30 does not exist in New York on 2024-03-10: the next run is on the 11th (EDT).
        Assert.Equal(Utc("2024-03-11T06:30:00Z"), NextUtc("30 2 * * *", "2024-03-09T08:00:00Z", NewYork));
    }

    [Fact]
    public void Next_AtFallBack_RunsInEachPassOfTheRepeatedHour()
    {
        // 01:30 happens twice on 2024-11-03 in New York (EDT, then EST); robfig/cron steps in absolute time and fires in both.
        Assert.Equal(Utc("2024-11-03T05:30:00Z"), NextUtc("30 1 * * *", "2024-11-03T04:00:00Z", NewYork));
        Assert.Equal(Utc("2024-11-03T06:30:00Z"), NextUtc("30 1 * * *", "2024-11-03T05:30:00Z", NewYork));
        Assert.Equal(Utc("2024-11-04T06:30:00Z"), NextUtc("30 1 * * *", "2024-11-03T06:30:00Z", NewYork));
    }

    [Fact]
    public void Next_ForADateThatNeverComes_ReturnsNull() =>
        Assert.Null(NextUtc("0 0 30 2 *", "2024-01-01T00:00:00Z"));

    [Theory]
    [InlineData("", "empty spec string")]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [InlineData("60 * * * *", "end of range (60) above maximum (59): 60")]
    [InlineData("* * 0 * *", "beginning of range (0) below minimum (1): 0")]
    [InlineData("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1")]
    [InlineData("*/0 * * * *", "step of range should be a positive number: */0")]
    [InlineData("1/2/3 * * * *", "too many slashes: 1/2/3")]
    [InlineData("* * * * 7", "end of range (7) above maximum (6): 7")]
    [InlineData("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("@fortnightly", "unrecognized descriptor: @fortnightly")]
    public void TryParse_Invalid_ReportsTheParsersComplaint(string schedule, string expected)
    {
        Assert.Null(CronSchedule.TryParse(schedule, out var error));
        Assert.Equal(expected, error);
    }
}
