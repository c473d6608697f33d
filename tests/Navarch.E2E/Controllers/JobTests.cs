using System.Text.Json.Nodes;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>A Job created with kubectl runs its pod to completion (the fake kubelet ends Job pods Succeeded).</summary>
[Collection(NavarchCollection.Name)]
public sealed class JobTests(ServerFixture server) : IAsyncLifetime
{
    private ControllerScenario? _scenario;

    private ControllerScenario S => _scenario ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _scenario = await ControllerScenario.StartAsync(server, "job", completeJobPods: true);

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task CreateJob_CompletesWhenItsPodSucceeds_AndWaitForCompleteReturns()
    {
        var generated = S.Expect.Success(await S.RunAsync("create", "job", "pi", "--image=busybox", "--dry-run=client", "-o", "json", "--", "sh", "-c", "exit"));
        var manifest = JsonNode.Parse(generated.Stdout) ?? throw new InvalidOperationException("kubectl printed no object");
        S.Place(manifest["spec"]!["template"]!["spec"]!);
        S.Expect.StdoutLines(await S.CreateAsync(manifest), "job.batch/pi created");

        var wait = await S.RunLongAsync("wait", "--for=condition=complete", "job/pi", $"--timeout={(int)ControllerScenario.Deadline.TotalSeconds}s");
        if (wait.ExitCode != 0)
        {
            S.Expect.Fail($"the job did not complete\n--- fake kubelet errors ---\n{S.Kubelet.Errors}\n{await S.RunAsync("describe", "job", "pi")}\n{await S.RunAsync("get", "pods", "-o", "wide")}", wait);
        }

        S.Expect.StdoutLines(wait, "job.batch/pi condition met");
        var job = S.Expect.Success(await S.RunAsync("get", "job", "pi"));
        S.Expect.StdoutLine(job, "NAME STATUS COMPLETIONS DURATION AGE");
        S.Expect.StdoutMatches(job, @"^pi\s+Complete\s+1/1\s+\S+\s+\S+$");
        var pods = S.Expect.Success(await S.RunAsync("get", "pods", "-l", "job-name=pi"));
        S.Expect.StdoutMatches(pods, @"^pi-[a-z0-9]{5}\s+0/1\s+Completed\s+0\s+\S+$");
    }
}
