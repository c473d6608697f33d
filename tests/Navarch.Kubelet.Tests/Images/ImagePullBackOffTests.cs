using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Images;

namespace Navarch.Kubelet.Tests.Images;

public sealed class ImagePullBackOffTests
{
    [Fact]
    public void Failed_DoublesFromTenSecondsToFiveMinutes()
    {
        var time = new FakeTimeProvider();
        var backOff = new ImagePullBackOff(time);
        var delays = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            backOff.Failed("k", "boom");
            var waited = 0;
            while (backOff.InBackOff("k") is not null)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                waited++;
            }

            delays.Add(waited);
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays);
    }

    [Fact]
    public void InBackOff_ReturnsTheLastFailureUntilSuccess()
    {
        var backOff = new ImagePullBackOff(new FakeTimeProvider());

        backOff.Failed("k", "first");
        backOff.Failed("k", "second");

        Assert.Equal("second", backOff.InBackOff("k"));
        Assert.Null(backOff.InBackOff("other"));
        backOff.Succeeded("k");
        Assert.Null(backOff.InBackOff("k"));
    }

    [Fact]
    public void Failed_AfterTwiceTheMaximumQuiet_StartsAgainFromTenSeconds()
    {
        var time = new FakeTimeProvider();
        var backOff = new ImagePullBackOff(time);
        backOff.Failed("k", "a");
        backOff.Failed("k", "b");
        time.Advance(TimeSpan.FromMinutes(11));

        backOff.Failed("k", "c");
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(backOff.InBackOff("k"));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(512.7, "512ms")]
    [InlineData(1200, "1.2s")]
    [InlineData(61_500, "1m1.5s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void PullDuration_FormatsAsGoTruncatedToMilliseconds(double milliseconds, string expected) =>
        Assert.Equal(expected, PullDuration.FormatMilliseconds(TimeSpan.FromMilliseconds(milliseconds)));
}
