using Navarch.Kubelet.Images;
using Navarch.Testing;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>
/// An API server (for imagePullSecrets) and two registries on loopback, one open and one behind basic auth, with the
/// busybox image written as an OCI archive ready to be pushed under any name.
/// </summary>
public sealed class ImagePullFixture : ApiServerFixture, IAsyncLifetime
{
    public const string User = "puller";
    public const string Password = "s3cret-pass";

    private readonly string _directory = Directory.CreateTempSubdirectory("nvpull-").FullName;
    private RegistryServer? _open;
    private RegistryServer? _private;

    internal RegistryServer Open => _open ?? throw new InvalidOperationException("not started");

    internal RegistryServer Private => _private ?? throw new InvalidOperationException("not started");

    /// <summary>The busybox image as an OCI layout tarball.</summary>
    public string BusyboxArchive => Path.Combine(_directory, "busybox.tar");

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using (var output = File.Create(BusyboxArchive))
        {
            await BusyboxImages.WriteBusyboxAsync(output, BusyboxImages.BuildLayer(), timeout.Token);
        }

        _open = await RegistryServer.StartAsync(null, timeout.Token);
        _private = await RegistryServer.StartAsync((User, Password), timeout.Token);
    }

    /// <summary>Pushes busybox to <paramref name="registry"/> under a fresh tag and returns the image reference.</summary>
    internal async Task<string> PushBusyboxAsync(RegistryServer registry, string repository)
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        await registry.PushAsync("oci-archive:" + BusyboxArchive, $"{repository}:{tag}");
        return $"{registry.Host}/{repository}:{tag}";
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_open is not null)
        {
            await _open.DisposeAsync();
        }

        if (_private is not null)
        {
            await _private.DisposeAsync();
        }

        await DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
