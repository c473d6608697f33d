using Navarch.Storage.Sqlite;

namespace Navarch.Storage.Tests;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override async Task<IKeyValueStore> CreateStoreAsync() => await SqliteStore.OpenAsync(_directory.File("state.db"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
