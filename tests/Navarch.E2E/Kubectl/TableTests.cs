using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>The server-side Table columns kubectl prints for built-in kinds, and the objects a fresh cluster has.</summary>
[Collection(NavarchCollection.Name)]
public sealed class TableTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-table";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task GetDeployments_PrintsDeploymentColumns()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: table
              namespace: {Ns}
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: table
              template:
                metadata:
                  labels:
                    app: table
                spec:
                  containers:
                  - name: main
                    image: nginx:1.25
            """, "apply", "-f", "-"));

        // The deployment controller brings UP-TO-DATE to 2 (no kubelet runs, so none is ready or available).
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "deploy", "-n", Ns));
        while (!System.Text.RegularExpressions.Regex.IsMatch(result.Stdout, @"^table\s+0/2\s+2\s", System.Text.RegularExpressions.RegexOptions.Multiline) && DateTime.UtcNow < stop)
        {
            await Task.Delay(200);
            result = server.Expect.Success(await server.Kubectl.RunAsync("get", "deploy", "-n", Ns));
        }

        server.Expect.StdoutLine(result, "NAME READY UP-TO-DATE AVAILABLE AGE");
        server.Expect.StdoutMatches(result, @"^table\s+0/2\s+2\s+0\s+\S+\s*$");

        var wide = server.Expect.Success(await server.Kubectl.RunAsync("get", "deploy", "table", "-n", Ns, "-o", "wide"));
        server.Expect.StdoutLine(wide, "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR");
        server.Expect.StdoutMatches(wide, @"^table\s+0/2\s+2\s+0\s+\S+\s+main\s+nginx:1.25\s+app=table\s*$");
    }

    [Fact]
    public async Task GetServices_ShowsTheKubernetesService()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "svc", "-n", "default"));
        server.Expect.StdoutLine(result, "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE");
        server.Expect.StdoutMatches(result, @"^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443/TCP\s+\S+\s*$");
    }

    [Fact]
    public async Task GetNamespaces_ListsTheSystemNamespacesAsActive()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("get", "ns"));
        server.Expect.StdoutLine(result, "NAME STATUS AGE");
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            server.Expect.StdoutMatches(result, $@"^{ns}\s+Active\s+\S+\s*$");
        }
    }
}
