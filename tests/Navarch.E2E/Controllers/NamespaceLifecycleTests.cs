using System.Text.RegularExpressions;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>A namespace's life as kubectl shows it: born with the default ServiceAccount, deleted with all its content.</summary>
[Collection(NavarchCollection.Name)]
public sealed class NamespaceLifecycleTests(ServerFixture server) : IAsyncLifetime
{
    private ControllerScenario? _scenario;

    private ControllerScenario S => _scenario ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _scenario = await ControllerScenario.StartAsync(server, "ns");

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task DeleteNamespace_IsTerminatingWhilePodsGo_ThenGoneWithAllItsContent()
    {
        var ns = S.Namespace;
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");
        S.Expect.Success(await S.RunAsync("create", "configmap", "settings", "--from-literal=mode=e2e"));
        S.Expect.Success(await S.RunAsync("create", "service", "clusterip", "web", "--tcp=80:8080"));

        // The kubelet keeps Terminating pods until released, so the namespace's Terminating phase can be seen.
        S.Kubelet.HoldTerminating();
        S.Expect.StdoutLines(S.Expect.Success(await server.Kubectl.RunAsync("delete", "namespace", ns, "--wait=false")), $"namespace \"{ns}\" deleted");

        await S.UntilAsync(
            ["get", "pods", "-l", "app=web"],
            r => r.StdoutLines.Count(l => Regex.IsMatch(l, @"^web-\S+\s+1/1\s+Terminating\s+")) == 3,
            "the namespace controller to delete the pods (Terminating, held by the kubelet)");
        var terminating = S.Expect.Success(await server.Kubectl.RunAsync("get", "namespace", ns));
        S.Expect.StdoutMatches(terminating, $@"^{ns}\s+Terminating\s+\S+$");
        var refused = S.Expect.Failure(await S.RunAsync("create", "configmap", "late", "--from-literal=a=b"));
        S.Expect.StderrContains(refused, $"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");

        await S.Kubelet.ReleaseTerminatingAsync(CancellationToken.None);
        var gone = await S.UntilAsync(["get", "namespace", ns], r => r.ExitCode == 1, $"namespace {ns} to be gone");
        S.Expect.StderrContains(gone, $"Error from server (NotFound): namespaces \"{ns}\" not found");
    }

    [Fact]
    public async Task NewNamespace_GetsTheDefaultServiceAccount()
    {
        // Written by the serviceaccount controller shortly after the namespace appears.
        var sa = await S.UntilAsync(["get", "serviceaccount", "default"], r => r.ExitCode == 0, "the default ServiceAccount", TimeSpan.FromSeconds(20));
        S.Expect.StdoutMatches(sa, @"^default\s+0\s+\S+$");
    }
}
