using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.NodeAffinity.NodeAffinity;

namespace Navarch.Scheduler.Tests.Plugins.NodeAffinity;

public sealed class NodeAffinityTests
{
    private const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    private readonly Plugin _plugin = (Plugin)Plugin.New(null, new PluginTestHandle());

    private static V1NodeSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    private static V1Affinity Required(params V1NodeSelectorTerm[] terms) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = terms },
        },
    };

    private static V1NodeSelectorTerm Term(params V1NodeSelectorRequirement[] expressions) => new() { MatchExpressions = expressions };

    private static V1NodeSelectorTerm Fields(params V1NodeSelectorRequirement[] fields) => new() { MatchFields = fields };

    public static TheoryData<string, V1NodeSelectorTerm[], bool> ExpressionCases => new()
    {
        { "In matches", [Term(Req("foo", "In", "bar", "value2"))], true },
        { "In does not match", [Term(Req("foo", "In", "other"))], false },
        { "NotIn", [Term(Req("foo", "NotIn", "value1", "value2"))], true },
        { "Exists", [Term(Req("foo", "Exists"))], true },
        { "DoesNotExist", [Term(Req("foo", "DoesNotExist"))], false },
        { "Gt", [Term(Req("kernel-version", "Gt", "0204"))], true },
        { "Lt", [Term(Req("kernel-version", "Lt", "0204"))], false },
        { "Gt with a non-integer value never matches", [Term(Req("kernel-version", "Gt", "invalid value: ___@#$%^"))], false },
        { "expressions are ANDed", [Term(Req("foo", "In", "bar"), Req("missing", "Exists"))], false },
        { "terms are ORed", [Term(Req("missing", "Exists")), Term(Req("foo", "In", "bar"))], true },
        { "an unparsable term does not spoil another", [Term(Req("foo", "Bogus", "x")), Term(Req("foo", "Exists"))], true },
        { "no terms match nothing", [], false },
        { "an empty term matches nothing", [new V1NodeSelectorTerm()], false },
        { "metadata.name In", [Fields(Req("metadata.name", "In", "node1"))], true },
        { "metadata.name NotIn", [Fields(Req("metadata.name", "NotIn", "node1"))], false },
        { "fields and expressions are ANDed", [new() { MatchFields = [Req("metadata.name", "In", "node1")], MatchExpressions = [Req("foo", "In", "nope")] }], false },
    };

    [Theory]
    [MemberData(nameof(ExpressionCases))]
    public void Filter_RequiredNodeAffinity_MatchesKubernetes(string name, V1NodeSelectorTerm[] terms, bool fits)
    {
        var node = NodeBuilder.Node("node1").Label("foo", "bar").Label("kernel-version", "0206").Info();
        var pod = PodBuilder.Pod("p").Affinity(Required(terms));

        var status = _plugin.Filter(new CycleState(), pod, node);

        Assert.True(fits == status.IsSuccess, name);
        if (!fits)
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal(ErrReasonPod, status.Message);
        }
    }

    [Fact]
    public void Filter_NodeSelectorAndAffinity_MustBothMatch()
    {
        var node = NodeBuilder.Node("n").Label("zone", "a").Label("disk", "ssd").Info();

        Assert.True(PluginTestRunner.Filter(_plugin, PodBuilder.Pod("p").NodeSelector("zone", "a"), node).IsSuccess);
        Assert.Equal(ErrReasonPod, PluginTestRunner.Filter(_plugin, PodBuilder.Pod("p").NodeSelector("zone", "b"), node).Message);

        var both = PodBuilder.Pod("p").NodeSelector("zone", "a").Affinity(Required(Term(Req("disk", "In", "hdd"))));
        Assert.False(PluginTestRunner.Filter(_plugin, both, node).IsSuccess);
    }

    [Fact]
    public void PreFilter_NothingToCheck_Skips()
    {
        var (_, status) = _plugin.PreFilter(new CycleState(), PodBuilder.Pod("p"), []);
        Assert.True(status.IsSkip);
    }

    [Fact]
    public void PreFilter_MetadataNameTerms_NarrowToUnionOfTerms()
    {
        var pod = PodBuilder.Pod("p").Affinity(Required(
            Fields(Req("metadata.name", "In", "node1", "node2"), Req("metadata.name", "In", "node2", "node3")),
            Fields(Req("metadata.name", "In", "node4"))));

        var (result, status) = _plugin.PreFilter(new CycleState(), pod, []);

        Assert.True(status.IsSuccess);
        Assert.Equal(new HashSet<string> { "node2", "node4" }, result!.NodeNames!);
    }

    [Fact]
    public void PreFilter_TermWithoutNameField_KeepsAllNodes()
    {
        var pod = PodBuilder.Pod("p").Affinity(Required(
            Fields(Req("metadata.name", "In", "node1")),
            Term(Req("foo", "Exists"))));

        var (result, status) = _plugin.PreFilter(new CycleState(), pod, []);

        Assert.True(status.IsSuccess);
        Assert.Null(result);
    }

    [Fact]
    public void PreFilter_ConflictingNameFields_IsUnresolvable()
    {
        var pod = PodBuilder.Pod("p").Affinity(Required(
            Fields(Req("metadata.name", "In", "node1"), Req("metadata.name", "In", "node2"))));

        var (_, status) = _plugin.PreFilter(new CycleState(), pod, []);

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal("pod affinity terms conflict", status.Message);
    }

    [Fact]
    public void Filter_AddedAffinity_IsEnforcedWithItsOwnReason()
    {
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
              {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["foo"]}]}]}}}
            """), new PluginTestHandle());

        var status = PluginTestRunner.Filter(plugin, PodBuilder.Pod("p"), NodeBuilder.Node("n").Label("zone", "bar").Info());
        var fits = PluginTestRunner.Filter(plugin, PodBuilder.Pod("p"), NodeBuilder.Node("n").Label("zone", "foo").Info());

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal("node(s) didn't match scheduler-enforced node affinity", status.Message);
        Assert.True(fits.IsSuccess);
    }

    [Fact]
    public void Score_SumsMatchingPreferredWeightsNormalizedToMax()
    {
        // Kubernetes' "all nodes matches the preferred scheduling requirements of pod but with different priorities".
        var pod = PodBuilder.Pod("p").Affinity(new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new() { Preference = new V1NodeSelectorTerm { MatchExpressions = [Req("foo", "In", "bar")] }, Weight = 2 },
                    new() { Preference = new V1NodeSelectorTerm { MatchExpressions = [Req("key", "In", "value")] }, Weight = 4 },
                    new() { Preference = new V1NodeSelectorTerm { MatchExpressions = [Req("foo", "In", "bar"), Req("key", "In", "value"), Req("az", "In", "az1")] }, Weight = 5 },
                ],
            },
        });

        var scores = PluginTestRunner.Scores(
            _plugin,
            pod,
            NodeBuilder.Node("machine1").Label("foo", "bar").Info(),
            NodeBuilder.Node("machine5").Label("foo", "bar").Label("key", "value").Label("az", "az1").Info(),
            NodeBuilder.Node("machine2").Label("key", "value").Info());

        Assert.Equal([18, 100, 36], scores);
    }

    [Fact]
    public void Score_AddedPreferredTermsCountForEveryPod()
    {
        var plugin = (Plugin)Plugin.New(PluginTestRunner.Args("""
            {"addedAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
              {"weight": 5, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["foo"]}]}}]}}
            """), new PluginTestHandle());

        var scores = PluginTestRunner.Scores(
            plugin, PodBuilder.Pod("p"), NodeBuilder.Node("a").Label("zone", "foo").Info(), NodeBuilder.Node("b").Info());

        Assert.Equal([100, 0], scores);
    }

    [Fact]
    public void PreScore_WithoutPreferredTerms_Skips()
    {
        Assert.True(_plugin.PreScore(new CycleState(), PodBuilder.Pod("p"), [NodeBuilder.Node("a").Info()]).IsSkip);
    }

    [Theory]
    [InlineData("""{"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "Bogus"}]}]}}}""")]
    [InlineData("""{"addedAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]}}]}}""")]
    [InlineData("""{"unknownField": 1}""")]
    [InlineData("""[]""")]
    public void New_InvalidArgs_Throws(string json)
    {
        Assert.Throws<ArgumentException>(() => Plugin.New(PluginTestRunner.Args(json), new PluginTestHandle()));
    }

    [Fact]
    public void EventsToRegister_NodeAddAndLabelUpdate()
    {
        var registered = Assert.Single(_plugin.EventsToRegister());
        Assert.True(registered.Covers(ClusterEvent.NodeAdd));
        Assert.True(registered.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeLabel, "x")));
        Assert.False(registered.Covers(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeTaint, "x")));
    }
}
