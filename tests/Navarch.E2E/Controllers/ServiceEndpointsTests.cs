using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>A Service selecting a deployment's pods gets Endpoints and an EndpointSlice with the ready pods' IPs.</summary>
[Collection(NavarchCollection.Name)]
public sealed class ServiceEndpointsTests(ServerFixture server) : IAsyncLifetime
{
    private ControllerScenario? _scenario;

    private ControllerScenario S => _scenario ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _scenario = await ControllerScenario.StartAsync(server, "svc");

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task ServiceOverDeployment_ListsThePodIpsInEndpointsAndEndpointSlices()
    {
        await S.CreateDeploymentAsync("web", replicas: 3);
        await S.RolloutStatusAsync("web");
        var ips = S.Expect.Success(await S.RunAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.podIP}"))
            .Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        S.Expect.True(ips.Length == 3, $"three pod IPs, got [{string.Join(", ", ips)}]");
        var expected = string.Join(',', ips.Select(ip => ip + ":8080"));

        S.Expect.StdoutLines(S.Expect.Success(await S.RunAsync("create", "service", "clusterip", "web", "--tcp=80:8080")), "service/web created");

        await S.UntilAsync(
            ["get", "endpoints", "web"],
            r => r.StdoutLines.Count == 2 && Column(r.StdoutLines[1], 1) is { } eps && string.Join(',', eps.Split(',').Order(StringComparer.Ordinal)) == expected,
            $"endpoints web to list {expected}");
        var slices = await S.UntilAsync(
            ["get", "endpointslices", "-l", "kubernetes.io/service-name=web"],
            r => r.StdoutLines.Count == 2 && Column(r.StdoutLines[1], 3) is { } eps && string.Join(',', eps.Split(',').Order(StringComparer.Ordinal)) == string.Join(',', ips),
            $"one endpointslice for web listing {string.Join(',', ips)}");
        S.Expect.StdoutLine(slices, "NAME ADDRESSTYPE PORTS ENDPOINTS AGE");
        S.Expect.StdoutMatches(slices, @"^web-[a-z0-9]{5}\s+IPv4\s+8080\s+\S+\s+\S+$");
    }

    private static string? Column(string line, int index) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var cells && cells.Length > index ? cells[index] : null;
}
