using System.Net;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>The controller manager embedded in <c>navarch server</c> leads and serves its health endpoint, as kube-controller-manager does.</summary>
[Collection(NavarchCollection.Name)]
public sealed class ControllerManagerHostTests(ServerFixture server)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task EmbeddedControllerManager_HoldsItsLease_AndServesHealthzOnItsSecurePort()
    {
        var stop = DateTime.UtcNow + Deadline;
        KubectlResult holder;
        while (true)
        {
            holder = await server.Kubectl.RunAsync("get", "lease", "kube-controller-manager", "-n", "kube-system", "-o", "jsonpath={.spec.holderIdentity}");
            if (holder.ExitCode == 0 && holder.Stdout.Trim().Length > 0)
            {
                break;
            }

            if (DateTime.UtcNow >= stop)
            {
                server.Expect.Fail("timed out waiting for the kube-controller-manager lease to have a holder", holder);
            }

            await Task.Delay(200);
        }

        using var http = new HttpClient(new HttpClientHandler
        {
            // kube-controller-manager's port serves a self-signed certificate, as `curl -k` accepts.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
        using var response = await http.GetAsync(new Uri($"https://127.0.0.1:{server.ControllerManagerPort}/healthz"));
        var body = await response.Content.ReadAsStringAsync();
        server.Expect.True(response.StatusCode == HttpStatusCode.OK && body == "ok", $"GET /healthz on the controller manager's port: {(int)response.StatusCode} {body}");
    }
}
