namespace Navarch.ApiServer.Tests.ServiceAccounts;

/// <summary>The system clock plus an offset the test moves forward, so timers keep running while tokens age on demand.</summary>
internal sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
