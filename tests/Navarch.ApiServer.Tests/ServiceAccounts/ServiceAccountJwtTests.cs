using System.Text;
using System.Text.Json.Nodes;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountJwtTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TempDir _otherDir = new();
    private ServiceAccountKey _key = null!; // set in InitializeAsync
    private ServiceAccountKey _otherKey = null!;

    public async Task InitializeAsync()
    {
        _key = await ServiceAccountKey.LoadOrCreateAsync(_dir.Path, CancellationToken.None);
        _otherKey = await ServiceAccountKey.LoadOrCreateAsync(_otherDir.Path, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _key.Dispose();
        _otherKey.Dispose();
        _dir.Dispose();
        _otherDir.Dispose();
        return Task.CompletedTask;
    }

    private static ServiceAccountTokenClaims Claims() => new()
    {
        Issuer = "https://kubernetes.default.svc.cluster.local",
        Audiences = ["https://kubernetes.default.svc.cluster.local", "vault"],
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        NotBefore = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        Expiry = DateTimeOffset.FromUnixTimeSeconds(1_700_003_600),
        Id = "0b9b7a47-6a8c-4f0b-bf9a-3b1d7e0e2a11",
        Namespace = "team-a",
        ServiceAccount = new BoundObject("builder", "sa-uid"),
        Pod = new BoundObject("web-0", "pod-uid"),
        Node = new BoundObject("node-1", "node-uid"),
        WarnAfter = DateTimeOffset.FromUnixTimeSeconds(1_700_003_607),
    };

    [Fact]
    public void Encode_ThenDecode_RoundTripsEveryClaim()
    {
        var claims = Claims();

        var decoded = ServiceAccountJwt.TryDecode(ServiceAccountJwt.Encode(claims, _key), _key);

        Assert.NotNull(decoded);
        Assert.Equal(claims with { Audiences = decoded.Audiences }, decoded);
        Assert.Equal(claims.Audiences, decoded.Audiences);
    }

    [Fact]
    public void Encode_WritesKubernetesClaimLayout()
    {
        var token = ServiceAccountJwt.Encode(Claims(), _key);
        var parts = token.Split('.');

        var header = JsonNode.Parse(Decode(parts[0]))!;
        var payload = JsonNode.Parse(Decode(parts[1]))!;

        Assert.Equal("RS256", (string?)header["alg"]);
        Assert.Equal(_key.KeyId, (string?)header["kid"]);
        Assert.Equal("system:serviceaccount:team-a:builder", (string?)payload["sub"]);
        Assert.Equal(1_700_003_600, (long?)payload["exp"]);
        Assert.Equal("team-a", (string?)payload["kubernetes.io"]!["namespace"]);
        Assert.Equal("sa-uid", (string?)payload["kubernetes.io"]!["serviceaccount"]!["uid"]);
        Assert.Equal("web-0", (string?)payload["kubernetes.io"]!["pod"]!["name"]);
        Assert.Equal(1_700_003_607, (long?)payload["kubernetes.io"]!["warnafter"]);
        Assert.Null(payload["kubernetes.io"]!["secret"]);
    }

    [Fact]
    public void Decode_TokenSignedByAnotherKey_IsRejected()
    {
        var token = ServiceAccountJwt.Encode(Claims(), _otherKey);

        Assert.Null(ServiceAccountJwt.TryDecode(token, _key));
    }

    [Fact]
    public void Decode_TamperedPayload_IsRejected()
    {
        var parts = ServiceAccountJwt.Encode(Claims(), _key).Split('.');
        var payload = Decode(parts[1]).Replace("builder", "admins", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Encode(payload)}.{parts[2]}";

        Assert.Null(ServiceAccountJwt.TryDecode(forged, _key));
    }

    [Fact]
    public void Decode_AlgNone_IsRejected()
    {
        var parts = ServiceAccountJwt.Encode(Claims(), _key).Split('.');
        var none = $"{Encode("""{"alg":"none"}""")}.{parts[1]}.";

        Assert.Null(ServiceAccountJwt.TryDecode(none, _key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    public void Decode_Malformed_IsRejected(string token) => Assert.Null(ServiceAccountJwt.TryDecode(token, _key));

    private static string Decode(string segment)
    {
        var padded = segment.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }

    private static string Encode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
