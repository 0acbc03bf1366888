/* SPDX-License-Identifier: BSD-3-Clause */
/* Port set-up: resolve the configured pairs, configure queues, start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "wirewall.h"

/*
 * A Toeplitz key made of one repeated 16-bit word hashes (a, b) and (b, a)
 * alike, so both directions of a flow land on the same queue and worker
 * (Woo and Park, "Scalable TCP Session Monitoring with Symmetric RSS").
 */
static uint8_t symmetric_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* "3" is port id 3; anything else is a device name ("net_tap0"). */
static int resolve_one(const char *name, uint16_t *port_id)
{
	char *end;
	unsigned long v;

	if (name[0] >= '0' && name[0] <= '9') {
		v = strtoul(name, &end, 10);
		if (*end == '\0') {
			if (v >= RTE_MAX_ETHPORTS ||
			    !rte_eth_dev_is_valid_port((uint16_t)v)) {
				APP_LOG(ERR,
					"port %s: no such DPDK port (%u ports available)",
					name, rte_eth_dev_count_avail());
				return -ENODEV;
			}
			*port_id = (uint16_t)v;
			return 0;
		}
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		APP_LOG(ERR, "port %s: no such DPDK device", name);
		return -ENODEV;
	}
	return 0;
}

int app_ports_resolve(const struct ww_conf *conf, struct app_ports *ports)
{
	unsigned int i;

	memset(ports, 0, sizeof(*ports));
	for (i = 0; i < conf->n_pairs; i++) {
		struct app_port *o = &ports->port[ports->n];
		struct app_port *in = &ports->port[ports->n + 1];

		if (resolve_one(conf->pairs[i].outside, &o->port_id) < 0 ||
		    resolve_one(conf->pairs[i].inside, &in->port_id) < 0)
			return -ENODEV;
		if (o->port_id == in->port_id) {
			APP_LOG(ERR, "pair %s:%s names one port twice",
				conf->pairs[i].outside, conf->pairs[i].inside);
			return -EINVAL;
		}
		o->peer_id = in->port_id;
		in->peer_id = o->port_id;
		o->side = WW_SIDE_OUTSIDE;
		in->side = WW_SIDE_INSIDE;
		rte_eth_dev_get_name_by_port(o->port_id, o->name);
		rte_eth_dev_get_name_by_port(in->port_id, in->name);
		ports->n += 2;
	}
	return 0;
}

static int setup_port(const struct ww_conf *conf, struct app_ports *ports,
		      struct app_port *p, uint16_t n_queues)
{
	struct rte_eth_conf pc;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = (uint16_t)conf->rx_descriptors;
	uint16_t nb_txd = (uint16_t)conf->tx_descriptors;
	int socket = rte_eth_dev_socket_id(p->port_id);
	uint16_t q;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		APP_LOG(ERR, "%s: cannot read device info: %s", p->name,
			strerror(-rc));
		return rc;
	}
	if (n_queues > info.max_rx_queues || n_queues > info.max_tx_queues) {
		APP_LOG(ERR,
			"%s: %u workers need %u RX and TX queues, the device has %u/%u",
			p->name, n_queues, n_queues, info.max_rx_queues,
			info.max_tx_queues);
		return -EINVAL;
	}
	memset(&pc, 0, sizeof(pc));
	if (n_queues > 1 && info.flow_type_rss_offloads != 0) {
		/* Keep every flow of a client on one worker (its features,
		 * models/FEATURES.md): the outside port hashes the source
		 * address only, the inside port the destination address only,
		 * so both directions of all its flows hash the client's
		 * address alike. A NIC that cannot hash one address gets the
		 * symmetric 5-tuple hash: flows stay whole, clients do not. */
		const uint64_t one = p->side == WW_SIDE_OUTSIDE
					     ? RTE_ETH_RSS_L3_SRC_ONLY
					     : RTE_ETH_RSS_L3_DST_ONLY;

		pc.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		pc.rx_adv_conf.rss_conf.rss_key = symmetric_rss_key;
		pc.rx_adv_conf.rss_conf.rss_key_len = sizeof(symmetric_rss_key);
		if ((info.flow_type_rss_offloads & one) &&
		    (info.flow_type_rss_offloads & RTE_ETH_RSS_IP)) {
			pc.rx_adv_conf.rss_conf.rss_hf =
				(RTE_ETH_RSS_IP & info.flow_type_rss_offloads) |
				one;
			APP_LOG(INFO,
				"%s: RSS on the client address (%s only): a client's flows share a worker",
				p->name,
				p->side == WW_SIDE_OUTSIDE ? "source"
							   : "destination");
		} else {
			pc.rx_adv_conf.rss_conf.rss_hf =
				(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
				 RTE_ETH_RSS_UDP) &
				info.flow_type_rss_offloads;
			APP_LOG(WARNING,
				"%s: the NIC cannot hash on one address: symmetric 5-tuple RSS, so a client's flows may spread over workers and each worker's client features see its share",
				p->name);
		}
	}
	/* Let the NIC verify checksums where it can; the decoder reads the
	 * result from the mbuf flags and checks in software otherwise. */
	pc.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM;

	rc = rte_eth_dev_configure(p->port_id, n_queues, n_queues, &pc);
	if (rc != 0) {
		APP_LOG(ERR, "%s: configure failed: %s", p->name,
			strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		APP_LOG(ERR, "%s: descriptor counts refused: %s", p->name,
			strerror(-rc));
		return rc;
	}
	for (q = 0; q < n_queues; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, NULL,
					    ports->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
						    socket, NULL);
		if (rc != 0) {
			APP_LOG(ERR, "%s: queue %u set-up failed: %s", p->name,
				q, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		APP_LOG(ERR, "%s: start failed: %s", p->name, strerror(-rc));
		return rc;
	}
	if (conf->promiscuous) {
		rc = rte_eth_promiscuous_enable(p->port_id);
		if (rc != 0 && rc != -ENOTSUP)
			APP_LOG(WARNING, "%s: promiscuous mode: %s", p->name,
				strerror(-rc));
	}
	/* No wait for link up: virtual PMDs may report the link down and
	 * still pass frames, and an inline box must forward regardless. */
	APP_LOG(INFO,
		"%s (%s): port %u started, %u queue(s), %u/%u descriptors",
		p->name, p->side == WW_SIDE_OUTSIDE ? "outside" : "inside",
		p->port_id, n_queues, nb_rxd, nb_txd);
	return 0;
}

int app_ports_start(const struct ww_conf *conf, struct app_ports *ports,
		    uint16_t n_queues)
{
	unsigned int i;
	int rc;

	ports->pool = rte_pktmbuf_pool_create(
		"ww_mbufs", conf->mbufs, conf->mbuf_cache,
		RTE_ALIGN(sizeof(struct ww_mbuf_priv), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (ports->pool == NULL) {
		APP_LOG(ERR,
			"cannot create a pool of %u mbufs: %s (raise -m or lower [ports] mbufs)",
			conf->mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < ports->n; i++) {
		rc = setup_port(conf, ports, &ports->port[i], n_queues);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void app_ports_stop(struct app_ports *ports)
{
	unsigned int i;

	for (i = 0; i < ports->n; i++) {
		rte_eth_dev_stop(ports->port[i].port_id);
		rte_eth_dev_close(ports->port[i].port_id);
	}
	rte_mempool_free(ports->pool);
	ports->pool = NULL;
}
