using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>
/// Deployment rollouts driven by kubectl as a user would: create, rollout status, set image, history, undo, scale,
/// restart, pause and resume — with the scheduler binding pods to this test's node and the fake kubelet running them.
/// </summary>
[Collection(NavarchCollection.Name)]
public sealed class DeploymentRolloutTests(ServerFixture server) : IAsyncLifetime
{
    private ControllerScenario? _scenario;

    private ControllerScenario S => _scenario ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _scenario = await ControllerScenario.StartAsync(server, "deploy");

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task CreateDeployment_RollsOut_WithOneReplicaSetOfThreeReadyPods()
    {
        await S.CreateDeploymentAsync("web", replicas: 3);

        await S.RolloutStatusAsync("web");
        var rows = await S.ReplicaSetRowsAsync();
        S.Expect.True(rows.Length == 1 && System.Text.RegularExpressions.Regex.IsMatch(rows[0], @"^web-[a-z0-9]+ 3 3 3 \S+$"), $"one ReplicaSet 3/3/3, got:\n{string.Join('\n', rows)}");
        var deployment = S.Expect.Success(await S.RunAsync("get", "deployment", "web"));
        S.Expect.StdoutMatches(deployment, @"^web\s+3/3\s+3\s+3\s+\S+$");
        var pods = S.Expect.Success(await S.RunAsync("get", "pods", "-l", "app=web"));
        S.Expect.True(pods.StdoutLines.Skip(1).Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^web-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+")) == 3, "three Running 1/1 pods", pods);
    }

    [Fact]
    public async Task SetImage_AddsRevisionTwo_AndUndoRestoresTheTemplateAsRevisionThree()
    {
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("set", "image", "deployment/web", "busybox=busybox:1.36")), "deployment.apps/web image updated");
        await S.RolloutStatusAsync("web");
        S.Expect.StdoutLines(await HistoryAsync(), "deployment.apps/web", "REVISION CHANGE-CAUSE", "1 <none>", "2 <none>");
        await ExpectImageAsync("busybox:1.36");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("rollout", "undo", "deployment/web")), "deployment.apps/web rolled back");
        await S.RolloutStatusAsync("web");
        await ExpectImageAsync("busybox");
        S.Expect.StdoutLines(await HistoryAsync(), "deployment.apps/web", "REVISION CHANGE-CAUSE", "2 <none>", "3 <none>");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("rollout", "undo", "deployment/web", "--to-revision=2")), "deployment.apps/web rolled back");
        await S.RolloutStatusAsync("web");
        await ExpectImageAsync("busybox:1.36");
        S.Expect.StdoutLines(await HistoryAsync(), "deployment.apps/web", "REVISION CHANGE-CAUSE", "3 <none>", "4 <none>");

        // Every revision reuses one of two ReplicaSets; only the current one has pods.
        var rows = await S.ReplicaSetRowsAsync();
        S.Expect.True(
            rows.Length == 2 && rows.Count(r => r.Contains(" 3 3 3 ", StringComparison.Ordinal)) == 1 && rows.Count(r => r.Contains(" 0 0 0 ", StringComparison.Ordinal)) == 1,
            $"two ReplicaSets, one 3/3/3 and one 0/0/0, got:\n{string.Join('\n', rows)}");
    }

    [Fact]
    public async Task Scale_ThenRolloutRestart_CreatesANewReplicaSetThatTakesAllFivePods()
    {
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("scale", "deployment/web", "--replicas=5")), "deployment.apps/web scaled");
        await S.RolloutStatusAsync("web");
        await S.UntilAsync(["get", "deployment", "web"], r => r.StdoutLines.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^web\s+5/5\s+5\s+5\s")), "5/5 ready");
        var before = await S.ReplicaSetRowsAsync();
        S.Expect.True(before.Length == 1 && before[0].Contains(" 5 5 5 ", StringComparison.Ordinal), $"one ReplicaSet scaled to 5, got:\n{string.Join('\n', before)}");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("rollout", "restart", "deployment/web")), "deployment.apps/web restarted");
        await S.RolloutStatusAsync("web");
        var after = await S.ReplicaSetRowsAsync();
        var oldName = before[0].Split(' ')[0];
        S.Expect.True(
            after.Length == 2 && after.Any(r => r.StartsWith(oldName + " 0 0 0 ", StringComparison.Ordinal)) && after.Any(r => !r.StartsWith(oldName, StringComparison.Ordinal) && r.Contains(" 5 5 5 ", StringComparison.Ordinal)),
            $"the old ReplicaSet {oldName} at 0 and a new one at 5/5/5, got:\n{string.Join('\n', after)}");
        var restartedAt = S.Expect.Success(await S.RunAsync("get", "deployment", "web", "-o", "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"));
        S.Expect.True(restartedAt.Stdout.Trim().Length > 0, "the template carries kubectl's restartedAt annotation", restartedAt);
    }

    [Fact]
    public async Task PausedDeployment_DoesNotRollOutANewTemplate_UntilResumed()
    {
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("rollout", "pause", "deployment/web")), "deployment.apps/web paused");
        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("set", "image", "deployment/web", "busybox=busybox:1.36")), "deployment.apps/web image updated");

        // The controller has seen the new template once it reports the generation as observed; a paused deployment
        // still gets its status synced (with the Progressing reason DeploymentPaused), but no new ReplicaSet.
        await S.UntilAsync(
            ["get", "deployment", "web", "-o", "jsonpath={.metadata.generation} {.status.observedGeneration} {.status.conditions[?(@.type==\"Progressing\")].reason}"],
            r => r.Stdout.Split(' ') is [var g, var o, "DeploymentPaused"] && g == o,
            "the paused deployment's status to observe the new generation");
        var paused = await S.ReplicaSetRowsAsync();
        S.Expect.True(paused.Length == 1 && paused[0].Contains(" 3 3 3 ", StringComparison.Ordinal), $"still one ReplicaSet at 3/3/3 while paused, got:\n{string.Join('\n', paused)}");
        var status = await S.RunAsync("rollout", "status", "deployment/web", "--timeout=1s");
        S.Expect.True(status.ExitCode != 0, "rollout status does not report success for a paused rollout", status);

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("rollout", "resume", "deployment/web")), "deployment.apps/web resumed");
        await S.RolloutStatusAsync("web");
        var resumed = await S.ReplicaSetRowsAsync();
        S.Expect.True(
            resumed.Length == 2 && resumed.Count(r => r.Contains(" 3 3 3 ", StringComparison.Ordinal)) == 1 && resumed.Count(r => r.Contains(" 0 0 0 ", StringComparison.Ordinal)) == 1,
            $"after resume a new ReplicaSet at 3/3/3 and the old at 0, got:\n{string.Join('\n', resumed)}");
        await ExpectImageAsync("busybox:1.36");
    }

    private async Task<KubectlResult> HistoryAsync() => S.Expect.Success(await S.RunAsync("rollout", "history", "deployment/web"));

    /// <summary>The deployment's template image, and every pod of the deployment runs it.</summary>
    private async Task ExpectImageAsync(string image)
    {
        var template = S.Expect.Success(await S.RunAsync("get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        S.Expect.True(template.Stdout.Trim() == image, $"the template's image is {image}", template);
        await S.UntilAsync(
            ["get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.containers[0].image}{\"\\n\"}{end}"],
            r => r.StdoutLines.Count == 3 && r.StdoutLines.All(l => l == image),
            $"exactly three pods, all with image {image}");
    }
}
