using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>PriorityClasses made with <c>kubectl create priorityclass</c> and resolved into pods by the Priority admission plugin.</summary>
[Collection(NavarchCollection.Name)]
public sealed class PriorityClassTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-priority";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreatePod_WithPriorityClassName_GetsTheClassValue()
    {
        var created = server.Expect.Success(await server.Kubectl.RunAsync("create", "priorityclass", "high", "--value=1000", "--description=e2e"));
        server.Expect.StdoutLines(created, "priorityclass.scheduling.k8s.io/high created");

        server.Expect.Success(await server.Kubectl.RunWithInputAsync(Pod("prioritized", "high"), "create", "-f", "-"));

        var get = server.Expect.Success(await server.Kubectl.RunAsync(
            "get", "pod", "prioritized", "-n", Ns, "-o", "jsonpath={.spec.priority} {.spec.preemptionPolicy}"));
        server.Expect.StdoutLines(get, "1000 PreemptLowerPriority");
    }

    [Fact]
    public async Task CreatePod_WithUnknownPriorityClass_IsForbidden()
    {
        var failed = server.Expect.Failure(await server.Kubectl.RunWithInputAsync(Pod("unprioritized", "no-such-class"), "create", "-f", "-"));

        server.Expect.StderrContains(failed, "pods \"unprioritized\" is forbidden: no PriorityClass with name no-such-class was found");
    }

    [Fact]
    public async Task GetPriorityClasses_ListsTheSystemClasses()
    {
        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "priorityclass", "system-node-critical", "system-cluster-critical",
            "-o", "jsonpath={range .items[*]}{.metadata.name}={.value} {end}"));

        server.Expect.StdoutLines(get, "system-node-critical=2000001000 system-cluster-critical=2000000000");
    }

    private static string Pod(string name, string priorityClassName) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          priorityClassName: {priorityClassName}
          containers:
          - name: main
            image: nginx:1.25
        """;
}
