/**
 * LoRaWAN network-server simulator (docs/ns-sim.md): join server, uplink
 * verification and decryption with lora-packet, class A downlinks, ADR,
 * outages, batch-payload decoding, ChirpStack v4 MQTT integration events, and two ways
 * in — Semtech UDP packet forwarders and the simulated radio channel.
 */
export { LoraNetworkServer, type NetworkServerOptions, type NsStats, type Outage, type RejectReason } from './network-server.js';
export { DeviceRegistry, type DeviceConfig, type DeviceState, type NetworkConfig, type OtaaDeviceConfig, type AbpDeviceConfig, type Session } from './registry.js';
export { loadRegistryFile, parseRegistry, RegistryFileError, type ParsedRegistry } from './registry-file.js';
export { SemtechUdpServer, type SemtechUdpOptions, type SemtechUdpStats } from './semtech-udp.js';
export { MqttPublisher, type MqttPublisherOptions } from './mqtt-publisher.js';
export { toChirpStack, parseDownCommand, eventTopic, COMMAND_DOWN_FILTER, type DownCommand, type MqttMessage } from './chirpstack-json.js';
export { attachToRadioGateway, DownlinkRouter, type RadioAttachment } from './radio-gateway.js';
export { startNsSim, type NsSimOptions, type RunningNsSim } from './run-ns-sim.js';
export type { NsEvent, NsEventListener, UpEvent, JoinEvent, AckEvent, TxAckEvent, StatusEvent, LogEvent } from './events.js';
export type { ReceivedFrame, UplinkRxInfo, TxWindow, DownlinkPlan, DownlinkResult } from './types.js';
export type { QueuedDownlink } from './downlink-queue.js';
