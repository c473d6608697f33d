using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Core;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins;
using Navarch.Scheduler.Runtime;

namespace Navarch.Bench;

/// <summary>
/// The scheduling algorithm alone, in process: the default profile with every in-tree plugin over simulated nodes,
/// binds answered at once. It isolates the scheduler's own cost from the API round trips that
/// <c>bench scheduler</c> includes, and is the one to profile.
/// </summary>
internal static class SchedulerCoreBenchmark
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var nodes = IntArg(args, "--nodes", 5000);
        var pods = IntArg(args, "--pods", 10000);
        var scenario = StringArg(args, "--scenario", "basic");
        var groups = Math.Max(10, 2 * (pods + nodes - 1) / nodes);

        var client = new InstantClient();
        using var scheduler = new PodScheduler(SchedulerConfiguration.Default, InTreePlugins.Registry, client, new NoEvents(), TimeProvider.System, new Random(1));
        for (var i = 0; i < nodes; i++) scheduler.OnNodeAdd(Node(i));
        for (var i = 0; i < pods; i++) scheduler.OnPodAdd(Pod(i, scenario, groups));

        var stopwatch = Stopwatch.StartNew();
        var allocated = GC.GetTotalAllocatedBytes();
        for (var i = 0; i < pods; i++)
        {
            if (!await scheduler.ScheduleOneAsync(ct).ConfigureAwait(false)) break;
        }

        await scheduler.WaitForBackgroundAsync().ConfigureAwait(false);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var allocatedMiB = (GC.GetTotalAllocatedBytes() - allocated) / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scheduler core {scenario}: {nodes} nodes, {client.Bound} of {pods} pods bound in {seconds:F2} s, {allocatedMiB / pods * 1024:F1} KiB allocated per pod"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scheduler core pods/s: {client.Bound / seconds:F1}"));
        return client.Bound == pods ? 0 : 1;
    }

    private static V1Node Node(int i) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"node-{i}",
            Uid = $"node-uid-{i}",
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/hostname"] = $"node-{i}",
                ["topology.kubernetes.io/zone"] = $"zone-{i % 3}",
            },
        },
        Spec = new V1NodeSpec(),
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("32Gi"), ["pods"] = new("110") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
        },
    };

    private static V1Pod Pod(int i, string scenario, int groups)
    {
        var labels = new Dictionary<string, string> { ["app"] = "bench" };
        var spec = new V1PodSpec
        {
            SchedulerName = "default-scheduler",
            Priority = 0,
            Containers = [new V1Container
            {
                Name = "c",
                Image = "pause",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("500Mi") } },
            }],
        };
        if (scenario == "anti-affinity")
        {
            var group = (i % groups).ToString(CultureInfo.InvariantCulture);
            labels["group"] = group;
            spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = group } },
                        },
                    ],
                },
            };
        }
        else if (scenario == "spread")
        {
            spec.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = "topology.kubernetes.io/zone",
                    WhenUnsatisfiable = "DoNotSchedule",
                    LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "bench" } },
                },
            ];
        }

        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"pod-{i}",
                NamespaceProperty = "bench",
                Uid = $"pod-uid-{i}",
                Labels = labels,
                CreationTimestamp = DateTime.UtcNow,
            },
            Spec = spec,
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string StringArg(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    /// <summary>Answers every call at once, counting binds.</summary>
    private sealed class InstantClient : ISchedulerClient
    {
        private int _bound;

        public int Bound => Volatile.Read(ref _bound);

        public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _bound);
            return Task.CompletedTask;
        }

        public Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor, string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SetUnschedulableConditionAsync(V1Pod pod, string message, string? nominatedNodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName) => null;

        public V1PriorityClass? GetPriorityClass(string name) => null;
    }

    private sealed class NoEvents : ISchedulerEvents
    {
        public void Record(V1Pod regarding, string type, string reason, string action, string message)
        {
        }
    }
}
