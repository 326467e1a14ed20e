// swift-tools-version: 6.0
import PackageDescription

// MARK: - Shared settings

/// Every target builds in Swift 6 language mode with the same strictness, so a module cannot
/// quietly opt out of checks its neighbours rely on.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// MARK: - Dependencies

let nio = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

let package = Package(
    name: "Parasol",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parasol", targets: ["parasol"]),
        .library(name: "ParasolClient", targets: ["ParasolClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CNghttp2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CMalloc"),  // glibc's <malloc.h>, for mallopt

        // MARK: Libraries, lowest layer first
        .target(name: "CCRC32C"),
        .target(name: "ParasolConsensus", exclude: ["README.md"], swiftSettings: strictSettings),
        .target(name: "ParasolWire", dependencies: ["CCRC32C", "ParasolConsensus", nio], swiftSettings: strictSettings),
        .target(name: "ParasolTensors", dependencies: ["ParasolWire", nio], swiftSettings: strictSettings),
        .target(name: "ParasolStorage", dependencies: ["CLZ4", "ParasolWire", nio], swiftSettings: strictSettings),
        .target(
            name: "ParasolConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParasolAdmin",
            dependencies: [
                "CNghttp2", nio, nioPosix, logging,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParasolServer",
            dependencies: [
                "ParasolWire", "ParasolTensors", "ParasolStorage", "ParasolConfig", "ParasolAdmin", "ParasolConsensus", nio, nioPosix,
                logging,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParasolClient",
            dependencies: ["ParasolWire", "ParasolConfig", nio, nioPosix, logging],
            swiftSettings: strictSettings
        ),
        .target(name: "ParasolJobs", dependencies: ["ParasolClient", "ParasolWire", "CZlib"], swiftSettings: strictSettings),

        // MARK: The command-line tool
        .executableTarget(
            name: "parasol",
            dependencies: [
                "ParasolServer", "ParasolClient", "ParasolJobs", "ParasolConfig", "ParasolAdmin", "ParasolWire", "ParasolConsensus", "CMalloc",
                logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "ParasolWireTests",
            dependencies: ["ParasolWire", "ParasolConsensus", nio, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio")],
            swiftSettings: strictSettings),
        .testTarget(name: "ParasolTensorsTests", dependencies: ["ParasolTensors", "ParasolWire", nio], swiftSettings: strictSettings),
        .testTarget(name: "ParasolStorageTests", dependencies: ["ParasolStorage", nio], swiftSettings: strictSettings),
        .testTarget(name: "ParasolConsensusTests", dependencies: ["ParasolConsensus"], swiftSettings: strictSettings),
        .testTarget(
            name: "ParasolAdminTests",
            dependencies: ["ParasolAdmin", nio, nioPosix],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ParasolConfigTests", dependencies: ["ParasolConfig"], swiftSettings: strictSettings),
        .testTarget(name: "ParasolServerTests", dependencies: ["ParasolServer", "ParasolConsensus", "ParasolTensors", "ParasolWire", nio], swiftSettings: strictSettings),
        .testTarget(name: "ParasolJobsTests", dependencies: ["ParasolJobs", "ParasolWire"], swiftSettings: strictSettings),
        .testTarget(
            name: "ParasolEndToEndTests",
            dependencies: ["ParasolClient", "ParasolConfig", "ParasolWire", nio],
            swiftSettings: strictSettings
        ),
    ]
)
