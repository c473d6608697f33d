using System.Collections.Frozen;

namespace Navarch.ApiServer.Protobuf;

/// <summary>A Kubernetes protobuf message: its full name and its fields by number.</summary>
internal sealed record ProtoMessage(string Name, FrozenDictionary<int, ProtoField> Fields);
