using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>
/// <c>kubectl delete deployment</c> with each <c>--cascade</c> mode: the garbage collector removes (background),
/// keeps and un-owns (orphan), or removes before the owner (foreground) the ReplicaSet and its pods.
/// </summary>
[Collection(NavarchCollection.Name)]
public sealed class CascadeDeletionTests(ServerFixture server) : IAsyncLifetime
{
    private ControllerScenario? _scenario;

    private ControllerScenario S => _scenario ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        _scenario = await ControllerScenario.StartAsync(server, "cascade");
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");
    }

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task DeleteDeployment_InBackground_RemovesItsReplicaSetAndPods()
    {
        var deleted = S.Expect.Success(await S.RunAsync("delete", "deployment", "web"));
        S.Expect.StdoutLines(deleted, "deployment.apps \"web\" deleted");

        await S.UntilAsync(["get", "rs,pods", "-l", "app=web", "-o", "name"], r => r.ExitCode == 0 && r.StdoutLines.Count == 0, "the ReplicaSet and pods to be collected");
        var get = S.Expect.Success(await S.RunAsync("get", "deployment,rs,pods"));
        S.Expect.StderrContains(get, $"No resources found in {S.Namespace} namespace.");
    }

    [Fact]
    public async Task DeleteDeployment_WithCascadeOrphan_LeavesTheReplicaSetUnownedAndItsPods()
    {
        var deleted = S.Expect.Success(await S.RunLongAsync("delete", "deployment", "web", "--cascade=orphan"));
        S.Expect.StdoutLines(deleted, "deployment.apps \"web\" deleted");

        // kubectl waited for the deployment to go, which the orphan finalizer allows only after the owner refs went.
        var gone = await S.RunAsync("get", "deployment", "web");
        S.Expect.StderrContains(S.Expect.Failure(gone), "Error from server (NotFound): deployments.apps \"web\" not found");
        var owners = S.Expect.Success(await S.RunAsync("get", "rs", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.metadata.ownerReferences}{\"\\n\"}{end}"));
        S.Expect.True(owners.StdoutLines.Count == 1 && owners.StdoutLines[0].EndsWith(':'), "one ReplicaSet left, without ownerReferences", owners);
        var rows = await S.ReplicaSetRowsAsync("app=web");
        S.Expect.True(rows.Length == 1 && rows[0].Contains(" 3 3 3 ", StringComparison.Ordinal), $"the orphaned ReplicaSet keeps 3/3/3, got:\n{string.Join('\n', rows)}");

        // The pods are still the ReplicaSet's, and stay: give the collector a moment in which it could wrongly act.
        var rsName = rows[0].Split(' ')[0];
        for (var i = 0; i < 6; i++)
        {
            var pods = S.Expect.Success(await S.RunAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.ownerReferences[0].name} {.metadata.deletionTimestamp}{\"\\n\"}{end}"));
            S.Expect.True(pods.StdoutLines.Count == 3 && pods.StdoutLines.All(l => l.Trim() == rsName), $"three live pods owned by {rsName}", pods);
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task DeleteDeployment_WithCascadeForeground_GoesOnlyAfterItsReplicaSetAndPods()
    {
        // The kubelet keeps Terminating pods for now, so the in-between state can be seen.
        S.Kubelet.HoldTerminating();
        var deleted = S.Expect.Success(await S.RunAsync("delete", "deployment", "web", "--cascade=foreground", "--wait=false"));
        S.Expect.StdoutLines(deleted, "deployment.apps \"web\" deleted");

        var jsonpath = "jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.deletionTimestamp} {.metadata.finalizers}{\"\\n\"}{end}";
        var waiting = await S.UntilAsync(
            ["get", "deployment,rs,pods", "-o", jsonpath],
            r => r.ExitCode == 0
                && r.StdoutLines.Any(l => l.StartsWith("Deployment/web ", StringComparison.Ordinal) && l.Contains("foregroundDeletion", StringComparison.Ordinal))
                && r.StdoutLines.Count(l => l.StartsWith("Pod/", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2) == 3,
            "the deployment to wait (foregroundDeletion) while its three pods terminate");
        S.Expect.True(waiting.StdoutLines.Any(l => l.StartsWith("Deployment/web ", StringComparison.Ordinal)), "the deployment is still there while its pods terminate", waiting);

        await S.Kubelet.ReleaseTerminatingAsync(CancellationToken.None);

        // kubectl lists deployments before ReplicaSets before pods, so a deployment seen gone with anything after it
        // still present would be the owner going first.
        var stop = DateTime.UtcNow + ControllerScenario.Deadline;
        while (true)
        {
            var all = S.Expect.Success(await S.RunAsync("get", "deployment,rs,pods", "-o", jsonpath));
            var lines = all.StdoutLines;
            if (!lines.Any(l => l.StartsWith("Deployment/web ", StringComparison.Ordinal)))
            {
                S.Expect.True(lines.Count == 0, "the deployment went only after its ReplicaSet and pods", all);
                break;
            }

            if (DateTime.UtcNow >= stop)
            {
                S.Expect.Fail($"timed out after {ControllerScenario.Deadline} waiting for the foreground deletion\n--- fake kubelet errors ---\n{S.Kubelet.Errors}", all);
            }

            await Task.Delay(100);
        }
    }
}
