using k8s.Models;
using Navarch.Controllers.DaemonSet;

namespace Navarch.Controllers.Tests.DaemonSet;

public sealed class DaemonRollingUpdateTests
{
    private static V1Pod Pod(string name, bool updated, bool available, bool terminating = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["updated"] = updated ? "yes" : "no", ["available"] = available ? "yes" : "no" },
            DeletionTimestamp = terminating ? DateTime.UtcNow : null,
        },
    };

    private static List<V1Pod> Plan(int maxUnavailable, params (string Node, V1Pod[] Pods)[] nodes) =>
        DaemonRollingUpdate.PodsToDelete(
            nodes.Select(n => KeyValuePair.Create(n.Node, n.Pods.ToList())),
            p => p.Metadata.Labels["updated"] == "yes",
            p => p.Metadata.Labels["available"] == "yes",
            maxUnavailable);

    [Fact]
    public void PodsToDelete_AllOldAndAvailable_DeletesUpToMaxUnavailable()
    {
        var plan = Plan(2, ("a", [Pod("a", false, true)]), ("b", [Pod("b", false, true)]), ("c", [Pod("c", false, true)]));

        Assert.Equal(["a", "b"], plan.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void PodsToDelete_UnavailableNewPod_UsesUpTheBudget()
    {
        var plan = Plan(1, ("a", [Pod("a", true, false)]), ("b", [Pod("b", false, true)]));

        Assert.Empty(plan);
    }

    [Fact]
    public void PodsToDelete_TerminatingOldPod_CountsAsUnavailable()
    {
        var plan = Plan(1, ("a", [Pod("a", false, true, terminating: true)]), ("b", [Pod("b", false, true)]));

        Assert.Empty(plan);
    }

    [Fact]
    public void PodsToDelete_UnavailableOldPods_AreReplacedBeyondTheBudget()
    {
        // The new pod on "a" uses the whole budget; the unavailable old pod on "b" is replaced anyway, "c" waits.
        var plan = Plan(1, ("a", [Pod("a", true, false)]), ("b", [Pod("b", false, false)]), ("c", [Pod("c", false, true)]));

        Assert.Equal(["b"], plan.Select(p => p.Metadata.Name));
    }

    [Theory]
    [InlineData("1", 10, 1)]
    [InlineData("3", 10, 3)]
    [InlineData("25%", 10, 3)]
    [InlineData("0%", 10, 1)]
    [InlineData("100%", 4, 4)]
    public void MaxUnavailable_ScalesPercentagesUpAndNeverZero(string value, int desired, int expected)
    {
        var ds = new V1DaemonSet
        {
            Spec = new V1DaemonSetSpec
            {
                UpdateStrategy = new V1DaemonSetUpdateStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = value, MaxSurge = 0 },
                },
            },
        };

        Assert.Equal(expected, DaemonRollingUpdate.MaxUnavailable(ds, desired));
    }
}
