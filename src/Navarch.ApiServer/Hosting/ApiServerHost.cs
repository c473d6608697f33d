using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Metrics;
using Navarch.ApiServer.NodeJoin;
using Navarch.ApiServer.NodeProxy;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.OpenApi;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Allocation;
using Navarch.ApiServer.Security;
using Navarch.ApiServer.Serialization;
using Navarch.ApiServer.ServiceAccounts;
using Navarch.ApiServer.Watch;
using Navarch.Storage;
using Navarch.Storage.Etcd;
using Navarch.Storage.Sqlite;

namespace Navarch.ApiServer.Hosting;

/// <summary>
/// The API server as a hosted service: opens the store (the only component that does), loads or creates the
/// cluster's certificates, fills the watch caches, and serves the Kubernetes API over HTTPS with Kestrel.
/// </summary>
public sealed partial class ApiServerHost(ApiServerOptions options, ILoggerFactory loggers, TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ApiServerHost>();
    private IKeyValueStore? _store;
    private WatchCacheSet? _caches;
    private WebApplication? _app;
    private ClusterCertificates? _certificates;
    private ServiceAccountKey? _serviceAccountKey;
    private NodeToken? _nodeToken;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _compaction;
    private int _disposed;

    /// <summary>The URL clients use, known once started (the port is the real one when 0 was asked for).</summary>
    public Uri? Url { get; private set; }

    /// <summary>The store this server opened; exposed for maintenance tasks and tests.</summary>
    public IKeyValueStore Store => _store ?? throw new InvalidOperationException("not started");

    public ClusterCertificates Certificates => _certificates ?? throw new InvalidOperationException("not started");

    /// <summary>The key that signs service-account tokens (<c>server/tls/service-account.key</c>).</summary>
    public ServiceAccountKey ServiceAccountKey => _serviceAccountKey ?? throw new InvalidOperationException("not started");

    /// <summary>The node join token (<c>server/token</c>) agents present to obtain their client certificates.</summary>
    public NodeToken NodeToken => _nodeToken ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDir);
        _certificates = await ClusterCertificates.LoadOrCreateAsync(options.DataDir, options.TlsSans, time, cancellationToken).ConfigureAwait(false);
        _serviceAccountKey = await ServiceAccountKey.LoadOrCreateAsync(options.DataDir, cancellationToken).ConfigureAwait(false);
        _nodeToken = await NodeToken.LoadOrCreateAsync(options.DataDir, _certificates.CaCertificatePem, cancellationToken).ConfigureAwait(false);
        _store = await OpenStoreAsync(cancellationToken).ConfigureAwait(false);

        var allocators = new ServiceAllocators(new ServiceIpAllocator(options.ServiceCidr), new NodePortAllocator());
        var registry = ResourceRegistry.CreateDefault(allocators);
        _caches = new WatchCacheSet(registry, _store, loggers);
        await _caches.StartAsync(cancellationToken).ConfigureAwait(false);
        SeedAllocators(registry, allocators);

        var repository = new ObjectRepository(_store);
        _app = BuildApp(registry, repository);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);

        var port = BoundPort(_app);
        await new Bootstrap(registry, repository, time).RunAsync(port, cancellationToken).ConfigureAwait(false);
        Url = new Uri($"https://127.0.0.1:{port}");
        await KubeconfigWriter.WriteAsync(options.KubeconfigPath, Url, _certificates.CaCertificatePem, _certificates.AdminClient, cancellationToken)
            .ConfigureAwait(false);
        if (options.WriteKubeconfig is { Length: > 0 } extra)
        {
            await KubeconfigWriter.WriteAsync(extra, Url, _certificates.CaCertificatePem, _certificates.AdminClient, cancellationToken)
                .ConfigureAwait(false);
        }

        var compactor = new Compactor(_store, time, loggers.CreateLogger<Compactor>());
        _compaction = compactor.RunAsync(options.CompactionInterval, _stopping.Token);
        Log.Serving(_logger, Url, _store.GetType().Name, options.KubeconfigPath);
    }

    private async Task<IKeyValueStore> OpenStoreAsync(CancellationToken cancellationToken)
    {
        if (options.DatastoreEndpoints.Count > 0)
        {
            return await EtcdStore.ConnectAsync(options.DatastoreEndpoints, loggers.CreateLogger<EtcdStore>(), cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(options.DatabasePath)!);
        return await SqliteStore.OpenAsync(options.DatabasePath, loggers.CreateLogger<SqliteStore>(), cancellationToken).ConfigureAwait(false);
    }

    private void SeedAllocators(ResourceRegistry registry, ServiceAllocators allocators)
    {
        var services = registry.Find("", "v1", "services")!;
        var (items, _) = _caches![services].Snapshot(null);
        allocators.Seed(items.Select(i => (k8s.Models.V1Service)ObjectCodec.Decode(services, i.Json, i.Revision)));
    }

    private WebApplication BuildApp(ResourceRegistry registry, ObjectRepository repository)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        var authenticator = new ClientCertificateAuthenticator(_certificates!.CaCertificate, time);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes + 1;
            kestrel.Listen(options.BindAddress, options.HttpsPort, listen => listen.UseClusterHttps(_certificates, authenticator));
        });

        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(registry);
        services.AddSingleton(repository);
        services.AddSingleton(_store!);
        services.AddSingleton(_caches!);
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<ObjectDecoder>();
        services.AddSingleton<ObjectPreparer>();
        services.AddSingleton<NamespaceGuard>();
        services.AddDefaultAdmission();
        services.AddSingleton<ResponseWriter>();
        services.AddSingleton<ReadHandler>();
        services.AddSingleton<WatchHandler>();
        services.AddSingleton<WriteHandler>();
        services.AddSingleton<DeleteHandler>();
        services.AddSingleton<SubresourceHandler>();
        var kubeletClient = _certificates.KubeletClient;
        services.AddSingleton(_ => new KubeletConnector(kubeletClient));
        services.AddSingleton<LogProxy>();
        services.AddSingleton<UpgradeProxy>();
        services.AddSingleton<PodConnectHandler>();
        services.AddSingleton<ProxyTransport>();
        services.AddSingleton<HttpProxy>();
        services.AddSingleton<ServiceEndpointPicker>();
        services.AddSingleton<ResourceProxyHandler>();
        var tokenSettings = ServiceAccountTokenSettings.ForIssuer(options.ServiceAccountIssuer);
        services.AddSingleton(_serviceAccountKey!);
        services.AddSingleton(tokenSettings);
        services.AddSingleton<ClusterObjectLookup>();
        services.AddSingleton<TokenRequestHandler>();
        services.AddSingleton<ServiceAccountTokenAuthenticator>();
        services.AddSingleton<IBearerTokenAuthenticator>(provider => provider.GetRequiredService<ServiceAccountTokenAuthenticator>());

        var app = builder.Build();
        // Joining nodes have no client certificate yet; these endpoints check the node token themselves.
        app.UseNodeJoin(_nodeToken!, _certificates);
        app.UseApiAuthentication(authenticator);
        foreach (var path in new[] { "/healthz", "/livez", "/readyz" })
        {
            app.MapGet(path, () => Results.Text("ok"));
            app.MapGet(path + "/{check}", () => Results.Text("ok"));
        }

        app.MapGet("/metrics", async (HttpContext context) =>
        {
            var revision = await _store!.GetCurrentRevisionAsync(context.RequestAborted).ConfigureAwait(false);
            var text = context.RequestServices.GetRequiredService<ApiMetrics>().Render(revision);
            return Results.Text(text, "text/plain; version=0.0.4");
        });
        app.MapDiscovery(registry);
        app.MapServiceAccountIssuerDiscovery(_serviceAccountKey!, tokenSettings);
        app.MapOpenApi(registry);
        app.MapResources();
        app.MapFallback((HttpContext context) => ResponseWriter.WriteStatusAsync(context, Errors.ApiException.NotFoundPath()));
        return app;
    }

    private static int BoundPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_compaction is not null)
        {
            await _compaction.ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The generic host may dispose a hosted service twice (as itself and through its factory registration).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        if (_caches is not null)
        {
            await _caches.DisposeAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _certificates?.Dispose();
        _serviceAccountKey?.Dispose();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "API server serving on {Url} (store: {Store}); admin kubeconfig at {Kubeconfig}")]
        public static partial void Serving(ILogger logger, Uri url, string store, string kubeconfig);
    }
}
