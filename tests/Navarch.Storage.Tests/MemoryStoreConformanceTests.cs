using Navarch.Storage.Memory;

namespace Navarch.Storage.Tests;

public sealed class MemoryStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IKeyValueStore> CreateStoreAsync() => Task.FromResult<IKeyValueStore>(new MemoryStore());
}
