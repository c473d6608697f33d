namespace Navarch.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountKeyRestartTests
{
    [Fact]
    public async Task TokenIssuedBeforeRestart_StillAuthenticatesAfter()
    {
        using var dir = new TempDir();
        string token;
        string keyId;
        await using (var first = new ServerScope(dir.Path))
        {
            await first.Server.InitializeAsync();
            await first.Server.CreateNamespaceAsync("restart");
            await first.Server.CreateServiceAccountAsync("restart", "robot");
            token = await first.Server.TokenAsync("restart", "robot");
            keyId = first.Server.Host.ServiceAccountKey.KeyId;
        }

        await using var second = new ServerScope(dir.Path);
        await second.Server.InitializeAsync();

        Assert.Equal(keyId, second.Server.Host.ServiceAccountKey.KeyId);
        Assert.Equal(200, (await second.Server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/restart/serviceaccounts")).Code);
    }

    private sealed class ServerScope(string dataDir) : IAsyncDisposable
    {
        public TokenServer Server { get; } = new(dataDir, ownsDataDir: false);

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
