namespace Navarch.E2E.ControllerManager;

/// <summary>Deadline-bound polling: wait until a probe's value satisfies a condition, or check that it keeps one.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the first value of <paramref name="probe"/> that satisfies <paramref name="done"/>; throws with the last value after <paramref name="deadline"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what, TimeSpan? interval = null)
    {
        var stop = DateTime.UtcNow + deadline;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= stop)
            {
                throw new TimeoutException($"waited {deadline.TotalSeconds:0.#} s for {what}; last seen: {value}");
            }

            await Task.Delay(interval ?? Interval);
        }
    }

    /// <summary>Checks for the whole of <paramref name="period"/> that <paramref name="probe"/> keeps returning <paramref name="expected"/>.</summary>
    public static async Task ConsistentlyAsync<T>(Func<Task<T>> probe, T expected, TimeSpan period, string what)
    {
        var stop = DateTime.UtcNow + period;
        while (DateTime.UtcNow < stop)
        {
            var value = await probe();
            if (!EqualityComparer<T>.Default.Equals(value, expected))
            {
                throw new Xunit.Sdk.XunitException($"{what} changed: expected {expected}, now {value}");
            }

            await Task.Delay(Interval);
        }
    }
}
