using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// <c>navarch controller-manager</c> as a process of its own that crashes (SIGKILL) or hands over (SIGTERM with
/// leader election): a restarted or standby instance picks the work up from the cluster's state alone, and never
/// creates more pods than the workload allows.
/// </summary>
[Collection(ControllerManagerCollection.Name)]
public sealed partial class ControllerManagerFailoverTests(StandaloneCluster cluster, ITestOutputHelper output)
{
    private const string LeaseName = "kube-controller-manager";
    private static readonly TimeSpan ConvergeDeadline = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan DownPeriod = TimeSpan.FromSeconds(3);

    private IKubernetes Admin => cluster.Admin;

    [Fact]
    public async Task KillDuringRollout_RestartedControllerManagerFinishesIt_WithoutExceedingMaxSurge()
    {
        const int replicas = 10, maxSurge = 2;
        var ns = await cluster.NamespaceAsync("cm-kill");
        await using var history = await PodHistory.StartAsync(Admin, ns, "app=web");
        await using var first = cluster.StartControllerManager(leaderElect: false);
        NavarchProcess? second = null;
        try
        {
            await Admin.AppsV1.CreateNamespacedDeploymentAsync(Workloads.Deployment("web", replicas, maxSurge, maxUnavailable: 0), ns);
            await Poll.UntilAsync(() => DeploymentStatusAsync(ns, "web"), s => s.Complete(replicas), ConvergeDeadline, "10 available replicas of the first version");

            var patch = new V1Patch($$"""[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"{{Workloads.NextImage}}"}]""", V1Patch.PatchType.JsonPatch);
            await Admin.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", ns);

            // Two steps in: the new ReplicaSet has grown twice and the old one has shrunk, but not away.
            await Poll.UntilAsync(
                () => RolloutAsync(ns),
                r => r.New >= 2 * maxSurge && r.Old >= maxSurge,
                ConvergeDeadline,
                "the rollout to be part-way (new ReplicaSet >= 4, old >= 2)",
                TimeSpan.FromMilliseconds(20));
            await first.KillAsync();

            // Writes the process sent just before it died may still land; then nothing may change while no controller runs.
            var frozen = await SettledStateAsync(ns);
            var atKill = await RolloutAsync(ns);
            Assert.True(atKill.New < replicas && atKill.Old > 0, $"the controller manager was killed too late to test a restart: {atKill}");
            await Poll.ConsistentlyAsync(() => WorkloadState.ReadAsync(Admin, ns), frozen, DownPeriod, "the pods and ReplicaSets while no controller manager runs");

            second = cluster.StartControllerManager(leaderElect: false);
            var done = await Poll.UntilAsync(
                () => DeploymentStatusAsync(ns, "web"), s => s.Complete(replicas), ConvergeDeadline, "the restarted controller manager to finish the rollout");
            var final = await Poll.UntilAsync(() => RolloutAsync(ns), r => r is { New: replicas, Old: 0, OldPods: 0 }, ConvergeDeadline, "the old ReplicaSet to be empty");
            var rolloutStatus = await cluster.Kubectl.RunAsync(["rollout", "status", "deployment/web", "-n", ns, "--timeout=20s"], stdin: null, TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.True(rolloutStatus.ExitCode == 0 && rolloutStatus.Stdout.Contains("successfully rolled out", StringComparison.Ordinal), rolloutStatus.ToString());

            var alive = await Poll.UntilAsync(() => WorkloadState.ReadAsync(Admin, ns), s => s.AlivePods == replicas, ConvergeDeadline, "exactly 10 pods");
            Assert.Null(history.WatchFailure);
            // maxSurge bounds what the ReplicaSets ask for together. Pod counts may pass it for a few milliseconds: the
            // new ReplicaSet's controller can create a pod just before the old one's marks a pod for deletion, as in
            // Kubernetes, where the two ReplicaSets are also reconciled independently.
            Assert.True(history.MaxDesired <= replicas + maxSurge, $"at most {replicas + maxSurge} replicas asked for at once, saw {history.MaxDesired}\n{history.Timeline()}");

            // Ten of the first version, ten of the second: a controller that forgot what it had created would make more.
            Assert.True(history.Created == 2 * replicas, $"expected {2 * replicas} pods created in all, saw {history.Created}\n{history.Timeline()}");
            Assert.Equal(replicas, history.Alive);
            Assert.Equal(replicas, alive.AlivePods);
            Assert.Equal(replicas, done.Updated);
            Assert.Equal(replicas, final.NewPods);
            output.WriteLine($"killed at {atKill}; frozen {frozen}");
            output.WriteLine(history.Timeline());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failure(e, history, first, second, await EventsAsync(ns));
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task KillDuringReplicaSetScaleUp_RestartedControllerManagerCreatesOnlyTheMissingPods()
    {
        const int replicas = 24;
        var ns = await cluster.NamespaceAsync("cm-rs");
        await using var history = await PodHistory.StartAsync(Admin, ns, "app=rs");

        // A slow client (2 requests a second) keeps the scale-up in progress long enough to kill it part-way.
        string[] slow = ["--kube-api-qps", "4", "--kube-api-burst", "1", "--controllers", "replicaset"];
        await using var first = cluster.StartControllerManager(leaderElect: false, slow);
        NavarchProcess? second = null;
        try
        {
            await Admin.AppsV1.CreateNamespacedReplicaSetAsync(Workloads.ReplicaSet("rs", replicas), ns);
            await Poll.UntilAsync(() => Task.FromResult(history.Created), n => n >= 3, ConvergeDeadline, "the first pods", TimeSpan.FromMilliseconds(20));
            await first.KillAsync();

            var frozen = await SettledStateAsync(ns);
            Assert.True(frozen.AlivePods < replicas, $"the controller manager was killed too late to test a restart: {frozen}");
            await Poll.ConsistentlyAsync(() => WorkloadState.ReadAsync(Admin, ns), frozen, DownPeriod, "the pods while no controller manager runs");

            second = cluster.StartControllerManager(leaderElect: false, "--controllers", "replicaset");
            await Poll.UntilAsync(
                () => Admin.AppsV1.ReadNamespacedReplicaSetAsync("rs", ns),
                r => r.Status?.ReadyReplicas == replicas && r.Status.Replicas == replicas,
                ConvergeDeadline,
                $"{replicas} ready replicas",
                TimeSpan.FromMilliseconds(250));
            Assert.Null(history.WatchFailure);
            Assert.True(history.Created == replicas && history.MaxAlive == replicas, $"expected exactly {replicas} pods ever\n{history.Timeline()}");
            output.WriteLine($"killed with {frozen}");
            output.WriteLine(history.Timeline());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failure(e, history, first, second, await EventsAsync(ns));
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task LeaderStopsCleanly_StandbyTakesOverBeforeTheLeaseExpires_AndKeepsReconciling()
    {
        var ns = await cluster.NamespaceAsync("cm-elect");
        await using var history = await PodHistory.StartAsync(Admin, ns, "app=elect");
        await using var leader = cluster.StartControllerManager(leaderElect: true);
        NavarchProcess? standby = null;
        try
        {
            var leaderId = await IdentityOnceLeadingAsync(leader);
            var lease = await Admin.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, "kube-system");
            Assert.Equal(leaderId, lease.Spec.HolderIdentity);
            await Admin.AppsV1.CreateNamespacedDeploymentAsync(Workloads.Deployment("elect", 2, maxSurge: 1, maxUnavailable: 0), ns);
            await Poll.UntilAsync(() => DeploymentStatusAsync(ns, "elect"), s => s.Complete(2), ConvergeDeadline, "2 available replicas under the first leader");

            standby = cluster.StartControllerManager(leaderElect: true);
            await Poll.UntilAsync(
                () => Task.FromResult(standby.ReadLog()),
                log => log.Contains($"New leader of lease kube-system/{LeaseName} elected: {leaderId}", StringComparison.Ordinal),
                ConvergeDeadline,
                "the standby to see the leader");
            Assert.False(standby.LogContains("Successfully acquired lease"), "the standby must not lead while the leader holds the lease");

            var stopped = DateTime.UtcNow;
            await leader.TerminateAsync();
            Assert.Equal(0, leader.ExitCode);
            Assert.True(leader.LogContains($"Released lease kube-system/{LeaseName}"), "a clean stop releases the lease");

            // Without the release the standby would wait out the 15 s lease; with it, its next 2 s retry wins.
            var taken = await Poll.UntilAsync(
                () => Admin.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, "kube-system"),
                l => !string.IsNullOrEmpty(l.Spec.HolderIdentity) && l.Spec.HolderIdentity != leaderId,
                TimeSpan.FromSeconds(10),
                "the standby to take the lease");
            var takeover = DateTime.UtcNow - stopped;
            var standbyId = await IdentityOnceLeadingAsync(standby);
            Assert.Equal(standbyId, taken.Spec.HolderIdentity);
            Assert.True(takeover < TimeSpan.FromSeconds(taken.Spec.LeaseDurationSeconds ?? 15), $"took over after {takeover}, not before the lease would expire");
            Assert.True((taken.Spec.LeaseTransitions ?? 0) > (lease.Spec.LeaseTransitions ?? 0), "a new holder counts as a lease transition");

            var scale = new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch);
            await Admin.AppsV1.PatchNamespacedDeploymentScaleAsync(scale, "elect", ns);
            await Poll.UntilAsync(() => DeploymentStatusAsync(ns, "elect"), s => s.Complete(5), ConvergeDeadline, "the new leader to scale to 5");
            Assert.Equal(5, history.Alive);
            Assert.Equal(5, history.Created);
            output.WriteLine($"{standbyId} took over from {leaderId} {takeover.TotalSeconds:0.0} s after the SIGTERM");
            output.WriteLine(history.Timeline());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failure(e, history, leader, standby, await EventsAsync(ns));
        }
        finally
        {
            if (standby is not null)
            {
                await standby.DisposeAsync();
            }
        }
    }

    private async Task<DeploymentProgress> DeploymentStatusAsync(string ns, string name)
    {
        var deployment = await Admin.AppsV1.ReadNamespacedDeploymentAsync(name, ns);
        return DeploymentProgress.Of(deployment);
    }

    /// <summary>The desired and actual pods of the Deployment's ReplicaSets, split by image (new = <see cref="Workloads.NextImage"/>).</summary>
    private async Task<RolloutProgress> RolloutAsync(string ns)
    {
        var sets = await Admin.AppsV1.ListNamespacedReplicaSetAsync(ns);
        int newSpec = 0, oldSpec = 0, newPods = 0, oldPods = 0;
        foreach (var set in sets.Items)
        {
            var isNew = set.Spec.Template.Spec.Containers[0].Image == Workloads.NextImage;
            if (isNew)
            {
                newSpec += set.Spec.Replicas ?? 0;
                newPods += set.Status?.Replicas ?? 0;
            }
            else
            {
                oldSpec += set.Spec.Replicas ?? 0;
                oldPods += set.Status?.Replicas ?? 0;
            }
        }

        return new RolloutProgress(newSpec, oldSpec, newPods, oldPods);
    }

    /// <summary>Waits until two reads 500 ms apart agree, so requests in flight at the kill have landed.</summary>
    private async Task<WorkloadState> SettledStateAsync(string ns)
    {
        var previous = await WorkloadState.ReadAsync(Admin, ns);
        var settled = await Poll.UntilAsync(
            async () =>
            {
                var (before, now) = (previous, await WorkloadState.ReadAsync(Admin, ns));
                previous = now;
                return (Before: before, Now: now);
            },
            pair => pair.Before == pair.Now,
            TimeSpan.FromSeconds(10),
            "the state to settle after the kill",
            TimeSpan.FromMilliseconds(500));
        return settled.Now;
    }

    private static async Task<string> IdentityOnceLeadingAsync(NavarchProcess process)
    {
        var log = await Poll.UntilAsync(
            () => Task.FromResult(process.ReadLog()),
            text => AcquiredPattern().IsMatch(text),
            ConvergeDeadline,
            $"{process.Name} to acquire the {LeaseName} lease");
        return AcquiredPattern().Match(log).Groups[1].Value;
    }

    /// <summary>The namespace's events (the controllers' own account of what they did), for a failure message.</summary>
    private async Task<string> EventsAsync(string ns)
    {
        var events = await cluster.Kubectl.RunAsync(["get", "events", "-n", ns, "--sort-by=.metadata.creationTimestamp"], stdin: null, TimeSpan.FromSeconds(10), CancellationToken.None);
        return events.ToString();
    }

    private Xunit.Sdk.XunitException Failure(Exception e, PodHistory history, NavarchProcess? first, NavarchProcess? second, string events)
    {
        var logs = string.Join('\n', new[] { first, second }.Where(p => p is not null).Select(p => p!.LogTail()));
        return new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n{history.Timeline()}\n{events}\n{logs}\n{cluster.Diagnostics()}\n{e.StackTrace}");
    }

    [GeneratedRegex(@"Successfully acquired lease kube-system/kube-controller-manager as (\S+)")]
    private static partial Regex AcquiredPattern();
}
