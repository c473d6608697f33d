using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

/// <summary>TokenRequest and service-account authentication through a real API server over HTTPS.</summary>
public sealed class TokenRequestHttpTests(TokenServer server) : IClassFixture<TokenServer>
{
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";

    [Fact]
    public async Task CreateToken_ReturnsTokenRequestWithSignedJwtAndUpstreamClaims()
    {
        var ns = await NamespaceAsync("claims");
        var uid = await server.CreateServiceAccountAsync(ns, "robot");
        var before = server.Clock.GetUtcNow().ToUnixTimeSeconds();

        var (code, body) = await server.RequestTokenAsync(ns, "robot");

        Assert.Equal(201, code);
        Assert.Equal("authentication.k8s.io/v1", (string?)body!["apiVersion"]);
        Assert.Equal("TokenRequest", (string?)body["kind"]);
        Assert.Equal("robot", (string?)body["metadata"]!["name"]);
        Assert.Equal(3600, (long?)body["spec"]!["expirationSeconds"]);
        Assert.Equal([Issuer], body["spec"]!["audiences"]!.AsArray().Select(a => (string?)a));
        var token = (string)body["status"]!["token"]!;
        var parts = token.Split('.');
        var header = JsonNode.Parse(Segment(parts[0]))!;
        var claims = JsonNode.Parse(Segment(parts[1]))!;
        Assert.Equal("RS256", (string?)header["alg"]);
        Assert.Equal(server.Host.ServiceAccountKey.KeyId, (string?)header["kid"]);
        Assert.Equal(Issuer, (string?)claims["iss"]);
        Assert.Equal($"system:serviceaccount:{ns}:robot", (string?)claims["sub"]);
        Assert.Equal([Issuer], claims["aud"]!.AsArray().Select(a => (string?)a));
        var iat = (long)claims["iat"]!;
        Assert.InRange(iat, before, before + 5);
        Assert.Equal(iat, (long)claims["nbf"]!);
        Assert.Equal(iat + 3600, (long)claims["exp"]!);
        Assert.True(Guid.TryParse((string?)claims["jti"], out _));
        Assert.Equal(ns, (string?)claims["kubernetes.io"]!["namespace"]);
        Assert.Equal("robot", (string?)claims["kubernetes.io"]!["serviceaccount"]!["name"]);
        Assert.Equal(uid, (string?)claims["kubernetes.io"]!["serviceaccount"]!["uid"]);
        Assert.Null(claims["kubernetes.io"]!["pod"]);
        var expires = DateTimeOffset.Parse((string)body["status"]!["expirationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(iat + 3600, expires.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Token_VerifiesWithThePublishedJwks()
    {
        var ns = await NamespaceAsync("jwks");
        await server.CreateServiceAccountAsync(ns, "robot");
        var token = await server.TokenAsync(ns, "robot");

        var (code, jwks) = await server.AdminAsync(HttpMethod.Get, "/openid/v1/jwks");

        Assert.Equal(200, code);
        var jwk = Assert.Single(jwks!["keys"]!.AsArray())!;
        Assert.Equal(("sig", "RSA", "RS256"), ((string?)jwk["use"], (string?)jwk["kty"], (string?)jwk["alg"]));
        using var rsa = RSA.Create(new RSAParameters { Modulus = Bytes((string)jwk["n"]!), Exponent = Bytes((string)jwk["e"]!) });
        var dot = token.LastIndexOf('.');
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(token[..dot]), Bytes(token[(dot + 1)..]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task OpenIdConfiguration_NamesTheIssuerAndNeedsAuthentication()
    {
        var (code, config) = await server.AdminAsync(HttpMethod.Get, "/.well-known/openid-configuration");

        Assert.Equal(200, code);
        Assert.Equal(Issuer, (string?)config!["issuer"]);
        Assert.EndsWith("/openid/v1/jwks", (string?)config["jwks_uri"]);
        Assert.Equal(["RS256"], config["id_token_signing_alg_values_supported"]!.AsArray().Select(a => (string?)a));
        Assert.Equal(401, (await server.BearerAsync(null, HttpMethod.Get, "/.well-known/openid-configuration")).Code);
        Assert.Equal(401, (await server.BearerAsync(null, HttpMethod.Get, "/openid/v1/jwks")).Code);
    }

    [Fact]
    public async Task Discovery_ListsServiceAccountsTokenAsTokenRequest()
    {
        var (_, list) = await server.AdminAsync(HttpMethod.Get, "/api/v1");

        var token = list!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "serviceaccounts/token")!;
        Assert.Equal(("authentication.k8s.io", "v1", "TokenRequest"), ((string?)token["group"], (string?)token["version"], (string?)token["kind"]));
        Assert.Equal(["create"], token["verbs"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Token_AuthenticatesApiRequests()
    {
        var ns = await NamespaceAsync("auth");
        await server.CreateServiceAccountAsync(ns, "robot");
        var token = await server.TokenAsync(ns, "robot");

        var (code, body) = await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods");

        Assert.Equal(200, code);
        Assert.Equal("PodList", (string?)body!["kind"]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")]
    public async Task GarbageToken_IsUnauthorized(string token)
    {
        var (code, body) = await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods");

        Assert.Equal(401, code);
        Assert.Equal("Unauthorized", (string?)body!["reason"]);
    }

    [Fact]
    public async Task TokenForAnotherAudience_IsUnauthorized()
    {
        var ns = await NamespaceAsync("aud");
        await server.CreateServiceAccountAsync(ns, "robot");
        var token = await server.TokenAsync(ns, "robot", new { audiences = new[] { "vault" } });

        Assert.Equal(401, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);
    }

    [Fact]
    public async Task TokenOfDeletedAndRecreatedServiceAccount_IsUnauthorized()
    {
        var ns = await NamespaceAsync("recreate");
        await server.CreateServiceAccountAsync(ns, "robot");
        var token = await server.TokenAsync(ns, "robot");
        Assert.Equal(200, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);

        Assert.Equal(200, (await server.AdminAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/serviceaccounts/robot")).Code);
        await server.CreateServiceAccountAsync(ns, "robot");

        Assert.Equal(401, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);
        var fresh = await server.TokenAsync(ns, "robot");
        Assert.Equal(200, (await server.BearerAsync(fresh, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);
    }

    [Fact]
    public async Task PodBoundToken_CarriesThePodAndDiesWithIt()
    {
        var ns = await NamespaceAsync("bound");
        await server.CreateServiceAccountAsync(ns, "robot");
        var podUid = await CreatePodAsync(ns, "web", "robot");
        var token = await server.TokenAsync(ns, "robot",
            new { boundObjectRef = new { kind = "Pod", apiVersion = "v1", name = "web", uid = podUid } });
        var claims = JsonNode.Parse(Segment(token.Split('.')[1]))!;
        Assert.Equal(("web", podUid), ((string?)claims["kubernetes.io"]!["pod"]!["name"], (string?)claims["kubernetes.io"]!["pod"]!["uid"]));
        Assert.Equal(200, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);

        Assert.Equal(200, (await server.AdminAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/web")).Code);

        Assert.Equal(401, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);
    }

    [Fact]
    public async Task BindToPodOfAnotherServiceAccount_IsBadRequest()
    {
        var ns = await NamespaceAsync("other-sa");
        await server.CreateServiceAccountAsync(ns, "robot");
        await CreatePodAsync(ns, "web", "default");

        var (code, body) = await server.RequestTokenAsync(ns, "robot", new { boundObjectRef = new { kind = "Pod", apiVersion = "v1", name = "web" } });

        Assert.Equal(400, code);
        Assert.Equal("cannot bind token for serviceaccount \"robot\" to pod running with different serviceaccount name.", (string?)body!["message"]);
    }

    [Fact]
    public async Task BindWithStaleUid_IsConflict()
    {
        var ns = await NamespaceAsync("stale");
        await server.CreateServiceAccountAsync(ns, "robot");
        await CreatePodAsync(ns, "web", "robot");

        var (code, body) = await server.RequestTokenAsync(ns, "robot",
            new { boundObjectRef = new { kind = "Pod", apiVersion = "v1", name = "web", uid = "not-the-uid" } });

        Assert.Equal(409, code);
        Assert.StartsWith("Operation cannot be fulfilled on Pod \"web\": the UID in the bound object reference (not-the-uid)", (string?)body!["message"]);
    }

    [Fact]
    public async Task BindToMissingPod_IsNotFound()
    {
        var ns = await NamespaceAsync("nopod");
        await server.CreateServiceAccountAsync(ns, "robot");

        var (code, body) = await server.RequestTokenAsync(ns, "robot", new { boundObjectRef = new { kind = "Pod", apiVersion = "v1", name = "ghost" } });

        Assert.Equal(404, code);
        Assert.Equal("pods \"ghost\" not found", (string?)body!["message"]);
    }

    [Fact]
    public async Task BindToUnsupportedKind_IsBadRequest()
    {
        var ns = await NamespaceAsync("kind");
        await server.CreateServiceAccountAsync(ns, "robot");

        var (code, body) = await server.RequestTokenAsync(ns, "robot",
            new { boundObjectRef = new { kind = "Deployment", apiVersion = "apps/v1", name = "web" } });

        Assert.Equal(400, code);
        Assert.Equal("cannot bind token to object of type apps/v1, Kind=Deployment", (string?)body!["message"]);
    }

    [Fact]
    public async Task TokenForMissingServiceAccount_IsNotFound()
    {
        var ns = await NamespaceAsync("nosa");

        var (code, body) = await server.RequestTokenAsync(ns, "ghost");

        Assert.Equal(404, code);
        Assert.Equal("serviceaccounts \"ghost\" not found", (string?)body!["message"]);
    }

    [Fact]
    public async Task ExpirationUnderTenMinutes_IsInvalid()
    {
        var ns = await NamespaceAsync("short");
        await server.CreateServiceAccountAsync(ns, "robot");

        var (code, body) = await server.RequestTokenAsync(ns, "robot", new { expirationSeconds = 599 });

        Assert.Equal(422, code);
        Assert.Equal(
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes",
            (string?)body!["message"]);
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthorizedAfterTheLeeway()
    {
        var ns = await NamespaceAsync("expired");
        await server.CreateServiceAccountAsync(ns, "robot");
        var token = await server.TokenAsync(ns, "robot", new { expirationSeconds = 600 });
        Assert.Equal(200, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);

        server.Clock.Advance(TimeSpan.FromSeconds(600 + 30));
        Assert.Equal(200, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);

        server.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(401, (await server.BearerAsync(token, HttpMethod.Get, "/api/v1/namespaces/default/pods")).Code);
    }

    [Fact]
    public async Task KubeletLifetimeForPodBoundToken_IsExtendedWithWarnAfter()
    {
        var ns = await NamespaceAsync("extend");
        await server.CreateServiceAccountAsync(ns, "robot");
        var podUid = await CreatePodAsync(ns, "web", "robot");

        var (_, body) = await server.RequestTokenAsync(ns, "robot",
            new { expirationSeconds = 3607, boundObjectRef = new { kind = "Pod", apiVersion = "v1", name = "web", uid = podUid } });

        var claims = JsonNode.Parse(Segment(((string)body!["status"]!["token"]!).Split('.')[1]))!;
        var iat = (long)claims["iat"]!;
        Assert.Equal(iat + 365L * 24 * 3600, (long)claims["exp"]!);
        Assert.Equal(iat + 3607, (long)claims["kubernetes.io"]!["warnafter"]!);
    }

    private async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await server.CreateNamespaceAsync(name);
        return name;
    }

    private async Task<string> CreatePodAsync(string ns, string name, string serviceAccount)
    {
        var (code, body) = await server.AdminAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", new
        {
            metadata = new { name },
            spec = new { serviceAccountName = serviceAccount, containers = new[] { new { name = "c", image = "busybox" } } },
        });
        Assert.True(code == 201, $"pod create answered {code}: {body}");
        return (string)body!["metadata"]!["uid"]!;
    }

    private static byte[] Bytes(string base64Url)
    {
        var padded = base64Url.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    private static string Segment(string base64Url) => Encoding.UTF8.GetString(Bytes(base64Url));
}
