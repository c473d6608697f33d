using k8s.Models;
using Navarch.Controllers.DaemonSet;

namespace Navarch.Controllers.Tests.DaemonSet;

public sealed class DaemonPlacementTests
{
    private static V1Node Node(string name, Dictionary<string, string>? labels = null, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : taints },
    };

    [Fact]
    public void Evaluate_NodeSelectorMismatch_NeitherRunsNorContinues()
    {
        var placement = new DaemonPlacement(new V1PodSpec { NodeSelector = new Dictionary<string, string> { ["role"] = "edge" } });

        Assert.Equal((false, false), placement.Evaluate(Node("a", new() { ["role"] = "core" })));
        Assert.Equal((true, true), placement.Evaluate(Node("b", new() { ["role"] = "edge" })));
    }

    [Fact]
    public void Evaluate_UntoleratedNoScheduleTaint_DoesNotRunButExistingPodStays()
    {
        var placement = new DaemonPlacement(new V1PodSpec());

        var result = placement.Evaluate(Node("a", null, new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" }));

        Assert.Equal((false, true), result);
    }

    [Fact]
    public void Evaluate_UntoleratedNoExecuteTaint_EvictsExistingPod()
    {
        var placement = new DaemonPlacement(new V1PodSpec());

        Assert.Equal((false, false), placement.Evaluate(Node("a", null, new V1Taint { Key = "dedicated", Effect = "NoExecute" })));
    }

    [Fact]
    public void Evaluate_ToleratedTaintAndPreferNoSchedule_Runs()
    {
        var placement = new DaemonPlacement(new V1PodSpec
        {
            Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "db", Effect = "NoSchedule" }],
        });

        var node = Node("a", null,
            new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" },
            new V1Taint { Key = "soft", Effect = "PreferNoSchedule" });

        Assert.Equal((true, true), placement.Evaluate(node));
    }

    [Theory]
    [InlineData("node.kubernetes.io/unschedulable", "NoSchedule")]
    [InlineData("node.kubernetes.io/not-ready", "NoExecute")]
    [InlineData("node.kubernetes.io/unreachable", "NoExecute")]
    [InlineData("node.kubernetes.io/disk-pressure", "NoSchedule")]
    [InlineData("node.kubernetes.io/memory-pressure", "NoSchedule")]
    [InlineData("node.kubernetes.io/pid-pressure", "NoSchedule")]
    public void Evaluate_NodeConditionTaints_AreToleratedByDaemons(string key, string effect)
    {
        var placement = new DaemonPlacement(new V1PodSpec());

        Assert.Equal((true, true), placement.Evaluate(Node("a", null, new V1Taint { Key = key, Effect = effect })));
    }

    [Fact]
    public void Evaluate_NetworkUnavailable_ToleratedOnlyByHostNetworkDaemons()
    {
        var node = Node("a", null, new V1Taint { Key = "node.kubernetes.io/network-unavailable", Effect = "NoSchedule" });

        Assert.False(new DaemonPlacement(new V1PodSpec()).Evaluate(node).ShouldRun);
        Assert.True(new DaemonPlacement(new V1PodSpec { HostNetwork = true }).Evaluate(node).ShouldRun);
    }

    [Fact]
    public void Tolerations_ReplaceMatchingTemplateTolerationWithoutSeconds()
    {
        var tolerations = DaemonPlacement.WithDaemonTolerations(
            [new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }],
            hostNetwork: false);

        var notReady = Assert.Single(tolerations, t => t.Key == "node.kubernetes.io/not-ready");
        Assert.Null(notReady.TolerationSeconds);
        Assert.Equal(6, tolerations.Count);
    }

    [Fact]
    public void Evaluate_RequiredNodeAffinity_OrsTermsAndAndsExpressions()
    {
        var placement = new DaemonPlacement(new V1PodSpec
        {
            Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm
                            {
                                MatchExpressions =
                                [
                                    new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["a", "b"] },
                                    new V1NodeSelectorRequirement { Key = "cores", OperatorProperty = "Gt", Values = ["4"] },
                                ],
                            },
                            new V1NodeSelectorTerm
                            {
                                MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["special"] }],
                            },
                        ],
                    },
                },
            },
        });

        Assert.True(placement.Evaluate(Node("x", new() { ["zone"] = "a", ["cores"] = "8" })).ShouldRun);
        Assert.False(placement.Evaluate(Node("x", new() { ["zone"] = "a", ["cores"] = "2" })).ShouldRun);
        Assert.False(placement.Evaluate(Node("x", new() { ["zone"] = "c", ["cores"] = "8" })).ShouldRun);
        Assert.True(placement.Evaluate(Node("special")).ShouldRun);
    }

    [Fact]
    public void PinToNode_ReplacesRequiredTermsAndTargetNodeNameReadsThemBack()
    {
        var affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "Exists" }] }],
                },
            },
        };

        var pinned = DaemonPlacement.PinToNode(affinity, "node-7");
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Affinity = pinned } };

        var term = Assert.Single(pinned.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
        Assert.Null(term.MatchExpressions);
        Assert.Equal("node-7", DaemonPlacement.TargetNodeName(pod));
        pod.Spec.NodeName = "bound";
        Assert.Equal("bound", DaemonPlacement.TargetNodeName(pod));
    }
}
