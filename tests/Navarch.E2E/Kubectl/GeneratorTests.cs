using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary>
/// <c>kubectl create deployment|configmap|namespace</c> build the object in kubectl and send it as protobuf
/// (<c>application/vnd.kubernetes.protobuf</c>), unlike <c>create -f</c> which sends JSON.
/// </summary>
[Collection(NavarchCollection.Name)]
public sealed class GeneratorTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-generators";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateDeployment_WithImageAndReplicas_IsStored()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("create", "deployment", "gen-web", "-n", Ns, "--image=nginx:1.25", "--replicas=2"));
        server.Expect.StdoutLines(result, "deployment.apps/gen-web created");

        var get = server.Expect.Success(await server.Kubectl.RunAsync(
            "get", "deployment", "gen-web", "-n", Ns, "-o", "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image}"));
        server.Expect.StdoutLines(get, "2 gen-web nginx:1.25");
    }

    [Fact]
    public async Task CreateConfigMap_FromLiterals_IsStored()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("create", "configmap", "gen-config", "-n", Ns, "--from-literal=a=1", "--from-literal=b=two"));
        server.Expect.StdoutLines(result, "configmap/gen-config created");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "configmap", "gen-config", "-n", Ns, "-o", "jsonpath={.data.a} {.data.b}"));
        server.Expect.StdoutLines(get, "1 two");
    }

    [Fact]
    public async Task CreateNamespace_IsListedAsActive()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("create", "namespace", "e2e-generated-ns"));
        server.Expect.StdoutLines(result, "namespace/e2e-generated-ns created");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "namespace", "e2e-generated-ns"));
        server.Expect.StdoutMatches(get, @"^e2e-generated-ns\s+Active\s+\S+\s*$");
    }

    [Fact]
    public async Task CreateSecretGeneric_FromLiteral_IsStoredBase64()
    {
        var result = server.Expect.Success(await server.Kubectl.RunAsync("create", "secret", "generic", "gen-secret", "-n", Ns, "--from-literal=password=s3cr3t"));
        server.Expect.StdoutLines(result, "secret/gen-secret created");

        var get = server.Expect.Success(await server.Kubectl.RunAsync("get", "secret", "gen-secret", "-n", Ns, "-o", "jsonpath={.type} {.data.password}"));
        server.Expect.StdoutLines(get, "Opaque czNjcjN0");
    }
}
