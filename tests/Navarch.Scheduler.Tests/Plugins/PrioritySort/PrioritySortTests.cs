using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.PrioritySort.PrioritySort;

namespace Navarch.Scheduler.Tests.Plugins.PrioritySort;

public sealed class PrioritySortTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly IQueueSortPlugin _plugin = (IQueueSortPlugin)Plugin.New(null, new PluginTestHandle());

    private static QueuedPodInfo Queued(string name, int? priority, DateTimeOffset timestamp)
    {
        var builder = PodBuilder.Pod(name);
        if (priority is { } p) builder.Priority(p);
        return new QueuedPodInfo(new PodInfo(builder), timestamp);
    }

    [Fact]
    public void Less_HigherPriorityFirst_EvenWhenQueuedLater()
    {
        var high = Queued("high", 100, T0.AddSeconds(10));
        var low = Queued("low", 10, T0);

        Assert.True(_plugin.Less(high, low));
        Assert.False(_plugin.Less(low, high));
    }

    [Fact]
    public void Less_EqualPriority_EarlierTimestampFirst()
    {
        var early = Queued("early", 5, T0);
        var late = Queued("late", 5, T0.AddMilliseconds(1));

        Assert.True(_plugin.Less(early, late));
        Assert.False(_plugin.Less(late, early));
    }

    [Fact]
    public void Less_UnsetPriorityCountsAsZero()
    {
        var unset = Queued("unset", null, T0);
        var negative = Queued("negative", -1, T0);
        var zero = Queued("zero", 0, T0.AddSeconds(1));

        Assert.True(_plugin.Less(unset, negative));
        Assert.True(_plugin.Less(unset, zero));
        Assert.False(_plugin.Less(unset, Queued("same", null, T0)));
    }
}
