using System.Text;
using System.Text.Json.Nodes;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary><c>kubectl create token</c> (the TokenRequest subresource) and service-account tokens used as kubectl credentials.</summary>
[Collection(NavarchCollection.Name)]
public sealed class ServiceAccountTokenTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-satoken";
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";

    private Infrastructure.Kubectl _tokenKubectl = null!; // set in InitializeAsync

    public async Task InitializeAsync()
    {
        await server.EnsureNamespaceAsync(Ns);
        await EnsureDefaultServiceAccountAsync();
        _tokenKubectl = await TokenOnlyKubectlAsync("satoken-cache");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateToken_PrintsAJwtThatKubectlCanUse()
    {
        var created = server.Expect.Success(await server.Kubectl.RunAsync("create", "token", "default", "-n", Ns));
        var token = created.Stdout.Trim();
        var claims = Claims(token);
        server.Expect.True((string?)claims["sub"] == $"system:serviceaccount:{Ns}:default", $"sub claim of {claims}", created);
        server.Expect.True((string?)claims["iss"] == Issuer, $"iss claim of {claims}", created);
        server.Expect.True((long)claims["exp"]! - (long)claims["iat"]! == 3600, $"one-hour lifetime in {claims}", created);

        var get = server.Expect.Success(await _tokenKubectl.RunAsync("--token", token, "get", "pods", "-n", Ns));
        server.Expect.True(get.Stderr.Contains("No resources found", StringComparison.Ordinal) || get.StdoutLines.Count > 0,
            "kubectl get pods answered with the token", get);
    }

    [Fact]
    public async Task GarbageToken_WithDiscoveryCached_IsUnauthorized()
    {
        // A valid token first fills kubectl's discovery cache, so the failing request is the list itself, whose
        // Status kubectl prints, as against kube-apiserver.
        var token = server.Expect.Success(await server.Kubectl.RunAsync("create", "token", "default", "-n", Ns)).Stdout.Trim();
        server.Expect.Success(await _tokenKubectl.RunAsync("--token", token, "get", "pods", "-n", Ns));

        var failed = server.Expect.Failure(await _tokenKubectl.RunAsync("--token", "garbage.not.ajwt", "get", "pods", "-n", Ns));

        server.Expect.StderrContains(failed, "error: You must be logged in to the server (Unauthorized)");
    }

    [Fact]
    public async Task GarbageToken_WithoutDiscoveryCache_IsAskedForCredentials()
    {
        // With nothing cached kubectl fails in discovery, which reports a 401 by its code alone.
        var fresh = await TokenOnlyKubectlAsync("satoken-cache-" + Guid.NewGuid().ToString("N"));

        var failed = server.Expect.Failure(await fresh.RunAsync("--token", "garbage", "get", "pods", "-n", Ns));

        server.Expect.StderrContains(failed, "error: You must be logged in to the server (the server has asked for the client to provide credentials)");
    }

    [Fact]
    public async Task CreateToken_WithAudienceAndDuration_SetsThoseClaims()
    {
        var created = server.Expect.Success(await server.Kubectl.RunAsync(
            "create", "token", "default", "-n", Ns, "--audience", "vault", "--audience", Issuer, "--duration", "2h"));

        var claims = Claims(created.Stdout.Trim());
        var audiences = claims["aud"]!.AsArray().Select(a => (string?)a).ToArray();
        server.Expect.True(audiences.SequenceEqual(["vault", Issuer]), $"audiences of {claims}", created);
        server.Expect.True((long)claims["exp"]! - (long)claims["iat"]! == 7200, $"two-hour lifetime in {claims}", created);
    }

    [Fact]
    public async Task CreateToken_BoundToPod_CarriesThePod()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: token-holder
              namespace: {Ns}
            spec:
              serviceAccountName: default
              containers:
              - name: c
                image: busybox
            """, "apply", "-f", "-"));

        var created = server.Expect.Success(await server.Kubectl.RunAsync(
            "create", "token", "default", "-n", Ns, "--bound-object-kind", "Pod", "--bound-object-name", "token-holder"));

        var claims = Claims(created.Stdout.Trim());
        server.Expect.True((string?)claims["kubernetes.io"]?["pod"]?["name"] == "token-holder", $"pod claim of {claims}", created);
    }

    [Fact]
    public async Task CreateToken_ShorterThanTenMinutes_IsRejected()
    {
        var failed = server.Expect.Failure(await server.Kubectl.RunAsync("create", "token", "default", "-n", Ns, "--duration", "5m"));

        server.Expect.StderrContains(failed, "may not specify a duration less than 10 minutes");
    }

    [Fact]
    public async Task CreateToken_ForMissingServiceAccount_IsNotFound()
    {
        var failed = server.Expect.Failure(await server.Kubectl.RunAsync("create", "token", "nobody", "-n", Ns));

        server.Expect.StderrContains(failed, "serviceaccounts \"nobody\" not found");
    }

    /// <summary>
    /// The controller manager's service-account controller makes <c>default</c>; until <c>navarch server</c> runs it,
    /// the test makes it (an "already exists" race with the controller is fine).
    /// </summary>
    private async Task EnsureDefaultServiceAccountAsync()
    {
        if ((await server.Kubectl.RunAsync("get", "serviceaccount", "default", "-n", Ns)).ExitCode == 0)
        {
            return;
        }

        var created = await server.Kubectl.RunAsync("create", "serviceaccount", "default", "-n", Ns);
        if (created.ExitCode != 0 && !created.Stderr.Contains("already exists", StringComparison.Ordinal))
        {
            server.Expect.Fail("could not create the default service account", created);
        }
    }

    /// <summary>A kubectl whose kubeconfig trusts the cluster CA but holds no client certificate, so only --token authenticates.</summary>
    private async Task<Infrastructure.Kubectl> TokenOnlyKubectlAsync(string cacheName)
    {
        var view = server.Expect.Success(await server.Kubectl.RunAsync("config", "view", "--raw", "--minify", "-o", "json"));
        var cluster = JsonNode.Parse(view.Stdout)!["clusters"]![0]!["cluster"]!;
        var kubeconfig = server.WriteManifest("satoken-kubeconfig.yaml", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: navarch
              cluster:
                server: {(string)cluster["server"]!}
                certificate-authority-data: {(string)cluster["certificate-authority-data"]!}
            users:
            - name: token-user
              user: {"{}"}
            contexts:
            - name: token
              context:
                cluster: navarch
                user: token-user
            current-context: token
            """);
        var root = Path.GetDirectoryName(kubeconfig)!;
        return new Infrastructure.Kubectl(kubeconfig, Path.Combine(root, cacheName), Directory.CreateDirectory(Path.Combine(root, "satoken-home")).FullName);
    }

    private static JsonNode Claims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new Xunit.Sdk.XunitException($"not a JWT: {token}");
        }

        var padded = parts[1].Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)))!;
    }
}
