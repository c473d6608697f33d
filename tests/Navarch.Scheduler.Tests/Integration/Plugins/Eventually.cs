using System.Diagnostics;
using Xunit.Sdk;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>Polls a condition until it holds or a deadline passes; the failure says what was awaited and what was seen.</summary>
internal static class Eventually
{
    /// <summary>Long enough for a back-off or two (1 s, 2 s), far shorter than the 5-minute unschedulable flush.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns the first non-null result of <paramref name="probe"/>; throws when <paramref name="timeout"/> passes first.</summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, Func<string> what, TimeSpan? timeout = null)
        where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value) return value;
            if (clock.Elapsed > limit) throw new XunitException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what()}");
            await Task.Delay(Interval);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null) =>
        await ReturnsAsync(async () => await condition() ? string.Empty : null, what, timeout);
}
