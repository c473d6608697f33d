using Navarch.Controllers.ReplicaSet;

namespace Navarch.Controllers.Tests.ReplicaSet;

public sealed class DeletionTrackerTests
{
    [Fact]
    public void Observe_SamePodTwice_CountsOnlyTheFirstSighting()
    {
        var tracker = new DeletionTracker();
        tracker.Expect("ns/rs", ["ns/a", "ns/b"]);

        Assert.True(tracker.Observe("ns/rs", "ns/a"));   // deletionTimestamp set
        Assert.False(tracker.Observe("ns/rs", "ns/a"));  // finally removed
        Assert.False(tracker.Observe("ns/rs", "ns/c"));  // never asked for
        Assert.True(tracker.Observe("ns/rs", "ns/b"));
    }

    [Fact]
    public void Expect_ReplacesEarlierKeys_AndForgetDropsThem()
    {
        var tracker = new DeletionTracker();
        tracker.Expect("ns/rs", ["ns/a"]);
        tracker.Expect("ns/rs", ["ns/b"]);
        Assert.False(tracker.Observe("ns/rs", "ns/a"));

        tracker.Forget("ns/rs");
        Assert.False(tracker.Observe("ns/rs", "ns/b"));
    }
}
