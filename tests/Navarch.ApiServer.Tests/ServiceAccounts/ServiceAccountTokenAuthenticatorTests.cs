using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.ServiceAccounts;
using Navarch.ApiServer.Watch;
using Navarch.Storage.Memory;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

/// <summary>The authenticator over real watch caches fed by an in-memory store.</summary>
public sealed class ServiceAccountTokenAuthenticatorTests : IAsyncLifetime
{
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private const string Ns = "team-a";

    private readonly TempDir _dir = new();
    private readonly TestClock _clock = new();
    private readonly MemoryStore _store = new();
    private readonly ResourceRegistry _registry = ResourceRegistry.CreateDefault();
    private WatchCacheSet _caches = null!; // set in InitializeAsync
    private ServiceAccountKey _key = null!;
    private ObjectRepository _repository = null!;
    private ClusterObjectLookup _lookup = null!;
    private ServiceAccountTokenAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _key = await ServiceAccountKey.LoadOrCreateAsync(_dir.Path, CancellationToken.None);
        _caches = new WatchCacheSet(_registry, _store, NullLoggerFactory.Instance);
        await _caches.StartAsync(CancellationToken.None);
        _repository = new ObjectRepository(_store);
        _lookup = new ClusterObjectLookup(_registry, _caches, _store);
        _authenticator = new ServiceAccountTokenAuthenticator(
            _key, ServiceAccountTokenSettings.ForIssuer(Issuer), _lookup, _clock, NullLogger<ServiceAccountTokenAuthenticator>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _caches.DisposeAsync();
        await _store.DisposeAsync();
        _key.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ValidToken_IsTheServiceAccountUserInItsGroups()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("builder") });

        var (user, reason) = await _authenticator.ValidateAsync(Token(account), CancellationToken.None);

        Assert.Null(reason);
        Assert.NotNull(user);
        Assert.Equal("system:serviceaccount:team-a:builder", user.Name);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"], user.Groups);
    }

    [Fact]
    public async Task RepeatedValidation_RemembersTheVerifiedTokenOnce()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("cached") });
        var token = Token(account);

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull((await _authenticator.ValidateAsync(token, CancellationToken.None)).User);
        }

        Assert.Equal(1, _authenticator.CachedCount);
    }

    [Fact]
    public async Task OtherIssuer_IsRejected()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("iss") });

        var (user, reason) = await _authenticator.ValidateAsync(Token(account, c => c with { Issuer = "https://elsewhere" }), CancellationToken.None);

        Assert.Null(user);
        Assert.Contains("issuer", reason);
    }

    [Fact]
    public async Task AudienceNotTheApiServers_IsRejected()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("aud") });

        var (user, reason) = await _authenticator.ValidateAsync(Token(account, c => c with { Audiences = ["vault"] }), CancellationToken.None);

        Assert.Null(user);
        Assert.Contains("audiences", reason);
    }

    [Fact]
    public async Task ExpiredToken_IsAcceptedWithinTheLeewayThenRejected()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("expiring") });
        var now = _clock.GetUtcNow();
        var token = Token(account, c => c with { IssuedAt = now.AddMinutes(-20), NotBefore = now.AddMinutes(-20), Expiry = now.AddSeconds(-30) });

        Assert.NotNull((await _authenticator.ValidateAsync(token, CancellationToken.None)).User);

        _clock.Advance(TimeSpan.FromSeconds(31));
        var (user, reason) = await _authenticator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(user);
        Assert.Equal("service account token has expired", reason);
    }

    [Fact]
    public async Task TokenFromTheFuture_IsRejected()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("future") });
        var later = _clock.GetUtcNow().AddMinutes(5);

        var (user, _) = await _authenticator.ValidateAsync(
            Token(account, c => c with { IssuedAt = later, NotBefore = later, Expiry = later.AddHours(1) }), CancellationToken.None);

        Assert.Null(user);
    }

    [Fact]
    public async Task ServiceAccountRecreated_OldTokenIsRejected()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("recreated") });
        var token = Token(account);
        Assert.NotNull((await _authenticator.ValidateAsync(token, CancellationToken.None)).User);

        await DeleteAsync(account);
        Assert.Contains("does not exist", (await _authenticator.ValidateAsync(token, CancellationToken.None)).Reason);

        await CreateAsync(new V1ServiceAccount { Metadata = Meta("recreated") });
        var (user, reason) = await _authenticator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(user);
        Assert.Contains("does not match claim", reason);
    }

    [Fact]
    public async Task PodBoundToken_DiesWithThePod()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("runner") });
        var pod = await CreateAsync(new V1Pod { Metadata = Meta("web"), Spec = new V1PodSpec { ServiceAccountName = "runner", Containers = [] } });
        var token = Token(account, c => c with { Pod = new BoundObject("web", pod.Metadata.Uid) });
        Assert.NotNull((await _authenticator.ValidateAsync(token, CancellationToken.None)).User);

        await DeleteAsync(pod);
        var (user, reason) = await _authenticator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(user);
        Assert.Equal("pod team-a/web does not exist", reason);
    }

    [Fact]
    public async Task PodBeingDeleted_TokenLastsOneMoreMinute()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("graceful") });
        var meta = Meta("terminating");
        meta.DeletionTimestamp = _clock.GetUtcNow().UtcDateTime;
        meta.Finalizers = ["test/hold"];
        var pod = await CreateAsync(new V1Pod { Metadata = meta, Spec = new V1PodSpec { ServiceAccountName = "graceful", Containers = [] } });
        var token = Token(account, c => c with { Pod = new BoundObject("terminating", pod.Metadata.Uid) });

        Assert.NotNull((await _authenticator.ValidateAsync(token, CancellationToken.None)).User);

        _clock.Advance(TimeSpan.FromSeconds(61));
        var (user, reason) = await _authenticator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(user);
        Assert.Equal("pod team-a/terminating has been deleted", reason);
    }

    [Fact]
    public async Task SecretBoundToken_NeedsTheSameSecret()
    {
        var account = await CreateAsync(new V1ServiceAccount { Metadata = Meta("secretive") });
        var secret = await CreateAsync(new V1Secret { Metadata = Meta("bound") });

        Assert.NotNull((await _authenticator.ValidateAsync(
            Token(account, c => c with { Secret = new BoundObject("bound", secret.Metadata.Uid) }), CancellationToken.None)).User);
        Assert.Null((await _authenticator.ValidateAsync(
            Token(account, c => c with { Secret = new BoundObject("bound", "another-uid") }), CancellationToken.None)).User);
    }

    [Fact]
    public async Task NotAJwt_IsNotOurs()
    {
        var (user, reason) = await _authenticator.ValidateAsync("K10static-token", CancellationToken.None);

        Assert.Null(user);
        Assert.Null(reason);
    }

    private string Token(V1ServiceAccount account, Func<ServiceAccountTokenClaims, ServiceAccountTokenClaims>? change = null)
    {
        var now = _clock.GetUtcNow();
        var claims = new ServiceAccountTokenClaims
        {
            Issuer = Issuer,
            Audiences = [Issuer],
            IssuedAt = now,
            NotBefore = now,
            Expiry = now.AddHours(1),
            Id = Guid.NewGuid().ToString(),
            Namespace = Ns,
            ServiceAccount = new BoundObject(account.Metadata.Name, account.Metadata.Uid),
        };
        return ServiceAccountJwt.Encode(change is null ? claims : change(claims), _key);
    }

    private static V1ObjectMeta Meta(string name) =>
        new() { Name = name, NamespaceProperty = Ns, Uid = Guid.NewGuid().ToString(), CreationTimestamp = DateTime.UtcNow };

    private async Task<T> CreateAsync<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var definition = _registry.Resources.First(r => r.ModelType == typeof(T));
        obj.ApiVersion = definition.GroupVersion;
        obj.Kind = definition.Kind;
        await _repository.CreateAsync(definition, definition.Key(Ns, obj.Metadata.Name), obj, CancellationToken.None);
        return obj;
    }

    private async Task DeleteAsync<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var definition = _registry.Resources.First(r => r.ModelType == typeof(T));
        var deleted = await _store.DeleteAsync(definition.Key(Ns, obj.Metadata.Name));

        // The authenticator reads the watch cache, which sees the delete a moment later.
        await _caches[definition].WaitForRevisionAsync(deleted.Revision, TimeSpan.FromSeconds(5), CancellationToken.None);
    }
}
