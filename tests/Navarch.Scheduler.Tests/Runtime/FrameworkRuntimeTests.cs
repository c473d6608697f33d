using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Queue;
using Navarch.Scheduler.Runtime;
using Navarch.Scheduler.Tests.Core;
using Navarch.Scheduler.Tests.Testing;

namespace Navarch.Scheduler.Tests.Runtime;

public sealed class FrameworkRuntimeTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PodNominator _nominator = new();

    /// <summary>A plugin at several extension points, to check multiPoint expansion.</summary>
    private sealed class Multi : IPreFilterPlugin, IFilterPlugin, IScorePlugin, IReservePlugin
    {
        public List<string> Calls { get; } = [];

        public string Name => "Multi";

        public IPreFilterExtensions? PreFilterExtensions => null;

        public IScoreExtensions? ScoreExtensions => null;

        public (PreFilterResult? Result, Status Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes) =>
            (new PreFilterResult(new HashSet<string> { "a" }), Status.Success);

        public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo) => Status.Success;

        public (long Score, Status Status) Score(CycleState state, V1Pod pod, NodeInfo nodeInfo) => (50, Status.Success);

        public Status Reserve(CycleState state, V1Pod pod, string nodeName)
        {
            Calls.Add("reserve-multi");
            return Status.Success;
        }

        public void Unreserve(CycleState state, V1Pod pod, string nodeName) => Calls.Add("unreserve-multi");
    }

    private sealed class Reserver(string name, List<string> calls, bool fail = false) : IReservePlugin
    {
        public string Name => name;

        public Status Reserve(CycleState state, V1Pod pod, string nodeName)
        {
            calls.Add("reserve-" + name);
            return fail ? Status.Unschedulable("no") : Status.Success;
        }

        public void Unreserve(CycleState state, V1Pod pod, string nodeName) => calls.Add("unreserve-" + name);
    }

    private sealed class CountingFilter(string name, Func<NodeInfo, Status> filter) : IFilterPlugin
    {
        public int Calls;

        public string Name => name;

        public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
        {
            Interlocked.Increment(ref Calls);
            return filter(nodeInfo);
        }
    }

    private FrameworkRuntime Build(SchedulerProfile profile, params IPlugin[] plugins) =>
        new(profile, Fakes.Registry(plugins), new FakeSchedulerClient(), new RecordingEvents(), _time, _nominator, new Snapshot());

    [Fact]
    public void MultiPoint_ExpandsToEveryImplementedExtensionPoint_WithWeight()
    {
        var multi = new Multi();
        var profile = Fakes.Profile(plugins: "Multi") with { };
        profile = profile with
        {
            Plugins = new PluginsConfiguration
            {
                MultiPoint = new PluginSet { Enabled = [new("FakeSort"), new("Multi", 4), new("FakeBinder")], Disabled = ["*"] },
                Points = new Dictionary<ExtensionPoint, PluginSet> { [ExtensionPoint.Reserve] = new() { Disabled = ["Multi"] } },
            },
        };

        var fwk = Build(profile, multi);

        Assert.Same(multi, Assert.Single(fwk.PreFilterPlugins));
        Assert.Same(multi, Assert.Single(fwk.FilterPlugins));
        Assert.Same(multi, Assert.Single(fwk.ScorePlugins));
        Assert.Empty(fwk.ReservePlugins);
        Assert.Equal(4, fwk.ScoreWeights["Multi"]);
        Assert.Null(fwk.EventsToRegister["Multi"]);
    }

    [Fact]
    public void ExplicitExtensionPointEntry_OverridesMultiPointOrder()
    {
        var calls = new List<string>();
        var profile = new SchedulerProfile
        {
            Plugins = new PluginsConfiguration
            {
                MultiPoint = new PluginSet { Enabled = [new("FakeSort"), new("R1"), new("R2"), new("FakeBinder")], Disabled = ["*"] },
                Points = new Dictionary<ExtensionPoint, PluginSet> { [ExtensionPoint.Reserve] = new() { Enabled = [new("R2")] } },
            },
        };

        var fwk = Build(profile, new Reserver("R1", calls), new Reserver("R2", calls));

        Assert.Equal(["R2", "R1"], fwk.ReservePlugins.Select(p => p.Name));
    }

    [Fact]
    public void ReserveFailure_UnreserveRunsInReverseOrder()
    {
        var calls = new List<string>();
        var fwk = Build(Fakes.Profile(plugins: ["R1", "R2", "R3"]), new Reserver("R1", calls), new Reserver("R2", calls, fail: true), new Reserver("R3", calls));
        var pod = PodBuilder.Pod("p").Build();

        var status = fwk.RunReservePluginsReserve(new CycleState(), pod, "a");
        fwk.RunReservePluginsUnreserve(new CycleState(), pod, "a");

        Assert.Equal(StatusCode.Unschedulable, status.Code);
        Assert.Equal("R2", status.Plugin);
        Assert.Equal(["reserve-R1", "reserve-R2", "unreserve-R3", "unreserve-R2", "unreserve-R1"], calls);
    }

    [Fact]
    public void RunFilterPlugins_StopsAtFirstFailureAndNamesPlugin()
    {
        var first = new CountingFilter("First", _ => Status.Unschedulable("nope"));
        var second = new CountingFilter("Second", _ => Status.Success);
        var fwk = Build(Fakes.Profile(plugins: ["First", "Second"]), first, second);

        var status = fwk.RunFilterPlugins(new CycleState(), PodBuilder.Pod("p"), NodeBuilder.Node("a").Info());

        Assert.Equal("First", status.Plugin);
        Assert.Equal(0, second.Calls);
    }

    [Fact]
    public void FilterWithNominatedPods_CountsHigherPriorityNominatedPod()
    {
        var fit = new CountingFilter("Fit", n => n.Requested.MilliCpu > 500 ? Status.Unschedulable("Insufficient cpu") : Status.Success);
        var fwk = Build(Fakes.Profile(plugins: "Fit"), fit);
        var node = NodeBuilder.Node("a").Info();
        _nominator.AddNominatedPod(new PodInfo(PodBuilder.Pod("vip").Priority(100).Req(("cpu", "1"))), "a");

        var low = fwk.RunFilterPluginsWithNominatedPods(new CycleState(), PodBuilder.Pod("low").Priority(1), node);
        var high = fwk.RunFilterPluginsWithNominatedPods(new CycleState(), PodBuilder.Pod("high").Priority(1000), node);

        Assert.Equal(StatusCode.Unschedulable, low.Code);
        Assert.True(high.IsSuccess);
        Assert.Empty(node.Pods);
    }

    [Fact]
    public void RunScorePlugins_AppliesWeightsAndRejectsOutOfRangeScores()
    {
        var profile = new SchedulerProfile
        {
            Plugins = new PluginsConfiguration
            {
                MultiPoint = new PluginSet { Enabled = [new("FakeSort"), new("S1", 2), new("S2"), new("FakeBinder")], Disabled = ["*"] },
            },
        };
        var fwk = Build(profile, new FakeScore("S1", n => n.Name == "a" ? 10 : 20), new FakeScore("S2", _ => 5));
        var nodes = new[] { NodeBuilder.Node("a").Info(), NodeBuilder.Node("b").Info() };

        var (totals, status) = fwk.RunScorePlugins(new CycleState(), PodBuilder.Pod("p"), nodes);

        Assert.True(status.IsSuccess);
        Assert.Equal([25L, 45L], totals.Select(t => t.Score));

        var bad = Build(Fakes.Profile(plugins: "Bad"), new FakeScore("Bad", _ => 101));
        Assert.Equal(StatusCode.Error, bad.RunScorePlugins(new CycleState(), PodBuilder.Pod("p"), nodes).Status.Code);
    }

    [Fact]
    public async Task Permit_WaitThenAllow_Succeeds()
    {
        var fwk = Build(Fakes.Profile(plugins: "FakePermit"), new FakePermit(TimeSpan.FromMinutes(1)));
        var pod = PodBuilder.Pod("p").Build();

        Assert.Equal(StatusCode.Wait, fwk.RunPermitPlugins(new CycleState(), pod, "a").Code);
        var wait = fwk.WaitOnPermitAsync(pod, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        fwk.GetWaitingPod(pod.Metadata.Uid)!.Allow("FakePermit");

        Assert.True((await wait.WaitAsync(TimeSpan.FromSeconds(5))).IsSuccess);
    }

    [Fact]
    public void Profile_WithoutQueueSort_Throws()
    {
        var profile = new SchedulerProfile
        {
            Plugins = new PluginsConfiguration { MultiPoint = new PluginSet { Enabled = [new("FakeBinder")], Disabled = ["*"] } },
        };
        Assert.Throws<SchedulerConfigurationException>(() => Build(profile));
    }

    [Fact]
    public void PreFilter_ResultsIntersect_EmptyIntersectionIsUnresolvable()
    {
        var fwk = Build(Fakes.Profile(plugins: "Multi"), new Multi());
        var (result, status, withNodes) = fwk.RunPreFilterPlugins(new CycleState(), PodBuilder.Pod("p"), []);
        Assert.True(status.IsSuccess);
        Assert.Equal(["a"], result!.NodeNames!);
        Assert.Equal(["Multi"], withNodes);
    }
}
