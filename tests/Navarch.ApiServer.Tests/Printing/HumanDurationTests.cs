using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(-3, "<invalid>")]
    [InlineData(-2, "<invalid>")]
    [InlineData(-1.5, "0s")]
    [InlineData(-1, "0s")]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(200, "3m20s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(659, "10m")]
    [InlineData(3 * 3600 - 1, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(5 * 3600 + 3 * 60, "5h3m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(47 * 3600 + 59 * 60, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(53 * 3600, "2d5h")]
    [InlineData(8 * 86400 - 1, "7d23h")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(15 * 86400, "15d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData(730 * 86400, "2y")]
    [InlineData((3 * 365 + 45) * 86400, "3y45d")]
    [InlineData(8 * 365 * 86400, "8y")]
    [InlineData(10 * 365 * 86400 + 86400 * 30, "10y")]
    public void Format_MatchesKubernetesHumanDuration(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(-2, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h")]
    [InlineData(86399, "23h")]
    [InlineData(86400, "1d")]
    [InlineData(364 * 86400, "364d")]
    [InlineData(2 * 365 * 86400, "2y")]
    public void FormatShort_MatchesKubernetesShortHumanDuration(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.FormatShort(TimeSpan.FromSeconds(seconds)));
}
