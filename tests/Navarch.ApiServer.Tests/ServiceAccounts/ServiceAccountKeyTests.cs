using System.Security.Cryptography;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountKeyTests
{
    [Fact]
    public async Task LoadOrCreate_FirstStart_WritesPrivateRsaKeyWithOwnerOnlyMode()
    {
        using var dir = new TempDir();
        using var key = await ServiceAccountKey.LoadOrCreateAsync(dir.Path, CancellationToken.None);

        var path = Path.Combine(dir.Path, "server", "tls", "service-account.key");
        Assert.Equal(path, key.Path);
        Assert.Contains("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(256, key.Modulus.Length);
    }

    [Fact]
    public async Task LoadOrCreate_SecondStart_ReusesTheKey()
    {
        using var dir = new TempDir();
        string firstKid;
        byte[] signature;
        var data = "payload"u8.ToArray();
        using (var first = await ServiceAccountKey.LoadOrCreateAsync(dir.Path, CancellationToken.None))
        {
            firstKid = first.KeyId;
            signature = first.Sign(data);
        }

        using var second = await ServiceAccountKey.LoadOrCreateAsync(dir.Path, CancellationToken.None);

        Assert.Equal(firstKid, second.KeyId);
        Assert.True(second.Verify(data, signature));
    }

    [Fact]
    public async Task KeyId_IsBase64UrlSha256OfThePublicKey()
    {
        using var dir = new TempDir();
        using var key = await ServiceAccountKey.LoadOrCreateAsync(dir.Path, CancellationToken.None);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(await File.ReadAllTextAsync(key.Path));

        var expected = Convert.ToBase64String(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo())).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, key.KeyId);
    }

    [Fact]
    public async Task LoadOrCreate_DamagedKeyFile_FailsInsteadOfReplacingIt()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "server", "tls", "service-account.key");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "not a key");

        await Assert.ThrowsAsync<InvalidDataException>(() => ServiceAccountKey.LoadOrCreateAsync(dir.Path, CancellationToken.None));
        Assert.Equal("not a key", await File.ReadAllTextAsync(path));
    }
}
