using Navarch.Storage.Etcd;

namespace Navarch.Storage.Tests.Etcd;

/// <summary>
/// The shared store suite against a real etcd. One etcd serves the whole class (the suite keeps each test's keys under
/// its own root and compares only revisions it observed); each test connects a fresh client.
/// </summary>
public sealed class EtcdStoreConformanceTests(EtcdFixture etcd) : StoreConformanceTests, IClassFixture<EtcdFixture>
{
    protected override async Task<IKeyValueStore> CreateStoreAsync() => await EtcdStore.ConnectAsync([etcd.Endpoint]);
}
