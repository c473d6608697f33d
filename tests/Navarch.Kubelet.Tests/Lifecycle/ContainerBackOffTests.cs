using Microsoft.Extensions.Time.Testing;
using Navarch.Kubelet.Pods.Lifecycle;

namespace Navarch.Kubelet.Tests.Lifecycle;

public sealed class ContainerBackOffTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void FirstExit_RestartsAtOnce_ThenBacksOff10sDoublingTo5Minutes()
    {
        var backOff = new ContainerBackOff(_time);
        var seen = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            var exitedAt = _time.GetUtcNow();
            if (i == 0)
            {
                Assert.False(backOff.IsInBackOffSince("app", exitedAt));
            }
            else
            {
                Assert.True(backOff.IsInBackOffSince("app", exitedAt));
                seen.Add(backOff.Get("app"));
                _time.Advance(backOff.Get("app"));
                Assert.False(backOff.IsInBackOffSince("app", exitedAt));
            }

            backOff.Next("app", exitedAt);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], seen.Select(s => (int)s.TotalSeconds));
    }

    [Fact]
    public void ExitAfterTenMinutesOfRunning_StartsOverAt10s()
    {
        var backOff = new ContainerBackOff(_time);
        backOff.Next("app", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(5));
        backOff.Next("app", _time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(20), backOff.Get("app"));

        _time.Advance(TimeSpan.FromMinutes(11));
        var exitedAt = _time.GetUtcNow();
        Assert.False(backOff.IsInBackOffSince("app", exitedAt));
        backOff.Next("app", exitedAt);

        Assert.Equal(TimeSpan.FromSeconds(10), backOff.Get("app"));
    }

    [Fact]
    public void Containers_HaveSeparateBackOffs()
    {
        var backOff = new ContainerBackOff(_time);
        backOff.Next("a", _time.GetUtcNow());
        backOff.Next("a", _time.GetUtcNow());

        Assert.Equal(TimeSpan.FromSeconds(20), backOff.Get("a"));
        Assert.Equal(TimeSpan.Zero, backOff.Get("b"));
        Assert.False(backOff.IsInBackOffSince("b", _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(80, "1m20s")]
    [InlineData(300, "5m0s")]
    [InlineData(3661, "1h1m1s")]
    [InlineData(0, "0s")]
    public void GoDuration_FormatsAsGo(int seconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromSeconds(seconds)));
}
